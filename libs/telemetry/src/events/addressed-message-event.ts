import type { AgentId, MessageChannel } from '@agentopera/types';
import { BaseEngineEvent, addressToJson } from './base-engine-event.js';
import type { MessageKind } from './message-kind.js';

/** What every event about one message in transit records. */
export interface AddressedMessageFields {
  /** The message, serialized by the engine (only when the logger is enabled). */
  readonly payload: string;
  readonly sender: AgentId | null;
  readonly receiver: AgentId | MessageChannel | null;
  readonly kind: MessageKind;
}

/** JSON form of {@link AddressedMessageFields}. */
export interface AddressedMessageJson {
  readonly payload: string;
  readonly sender: string | null;
  readonly receiver: string | null;
  readonly kind: MessageKind;
}

/** Base of the events about one message in transit. */
export abstract class AddressedMessageEvent<Fields extends AddressedMessageFields, Json extends { readonly type: string }>
  extends BaseEngineEvent<Fields, Json>
  implements AddressedMessageFields
{
  declare readonly payload: string;
  declare readonly sender: AgentId | null;
  declare readonly receiver: AgentId | MessageChannel | null;
  declare readonly kind: MessageKind;

  protected addressedMessageJson(): AddressedMessageJson {
    return {
      payload: this.payload,
      sender: addressToJson(this.sender),
      receiver: addressToJson(this.receiver),
      kind: this.kind,
    };
  }
}
