import { AddressedMessageEvent, type AddressedMessageFields, type AddressedMessageJson } from './addressed-message-event.js';

/** Fields of a {@link MessageDroppedEvent}. */
export type MessageDroppedEventFields = AddressedMessageFields;

/** JSON form of a {@link MessageDroppedEvent}. */
export interface MessageDroppedEventJson extends AddressedMessageJson {
  readonly type: 'MessageDropped';
}

/** An intervention handler dropped a message, so it reached no one. */
export class MessageDroppedEvent extends AddressedMessageEvent<MessageDroppedEventFields, MessageDroppedEventJson> {
  toJSON(): MessageDroppedEventJson {
    return { type: 'MessageDropped', ...this.addressedMessageJson() };
  }
}
