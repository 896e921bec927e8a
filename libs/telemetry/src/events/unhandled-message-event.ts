import type { AgentId } from '@agentopera/types';
import { AddressedMessageEvent, type AddressedMessageFields, type AddressedMessageJson } from './addressed-message-event.js';

/** Fields of an {@link UnhandledMessageEvent}. */
export interface UnhandledMessageEventFields extends AddressedMessageFields {
  /** The agent the message was delivered to, which had no handler for it; `null` when it reached no agent. */
  readonly handlingAgent: AgentId | null;
  /** The message's type as error messages name it (its class name, or `typeof` for primitives). */
  readonly messageType: string;
}

/** JSON form of an {@link UnhandledMessageEvent}. */
export interface UnhandledMessageEventJson extends AddressedMessageJson {
  readonly type: 'UnhandledMessage';
  readonly handlingAgent: string | null;
  readonly messageType: string;
}

/**
 * A published message reached an agent that had no handler for it (its `onMessage` resolved to
 * `NotHandled`), or reached no agent at all (no subscription matched its channel but the
 * sender's own; `handlingAgent` is then `null`). An RPC nobody handles is not logged: its caller
 * gets a `CantHandleError`.
 */
export class UnhandledMessageEvent extends AddressedMessageEvent<UnhandledMessageEventFields, UnhandledMessageEventJson> {
  declare readonly handlingAgent: AgentId | null;
  declare readonly messageType: string;

  toJSON(): UnhandledMessageEventJson {
    return {
      type: 'UnhandledMessage',
      ...this.addressedMessageJson(),
      handlingAgent: this.handlingAgent?.toString() ?? null,
      messageType: this.messageType,
    };
  }
}
