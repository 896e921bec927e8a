import { AddressedMessageEvent, type AddressedMessageFields, type AddressedMessageJson } from './addressed-message-event.js';
import type { DeliveryStage } from './delivery-stage.js';

/** Fields of a {@link MessageEvent}. */
export interface MessageEventFields extends AddressedMessageFields {
  readonly deliveryStage: DeliveryStage;
}

/** JSON form of a {@link MessageEvent}. */
export interface MessageEventJson extends AddressedMessageJson {
  readonly type: 'Message';
  readonly deliveryStage: DeliveryStage;
}

/** A message was sent, published or responded to, or reached its receiver. */
export class MessageEvent extends AddressedMessageEvent<MessageEventFields, MessageEventJson> {
  declare readonly deliveryStage: DeliveryStage;

  toJSON(): MessageEventJson {
    return { type: 'Message', ...this.addressedMessageJson(), deliveryStage: this.deliveryStage };
  }
}
