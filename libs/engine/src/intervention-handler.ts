import type { AgentId, MessageContext } from '@agentopera/types';

/** Returned by an intervention handler to drop the message it was given. */
export const DropMessage: unique symbol = Symbol('DropMessage');
export type DropMessage = typeof DropMessage;

/**
 * Sees every message before the engine acts on it and may replace it (return another value) or
 * drop it (return `DropMessage`). Handlers run in registration order, each on the previous result.
 */
export interface InterventionHandler {
  /** Before a `sendMessage` reaches its recipient. Dropping or throwing rejects the caller. */
  onSend(message: unknown, ctx: MessageContext, recipient: AgentId): unknown;
  /** Once per publish, before recipients are resolved. A dropped publish reaches no one. */
  onPublish(message: unknown, ctx: MessageContext): unknown;
  /** Before a handler's result is returned to its caller (`sender` is the agent that answered). */
  onResponse(message: unknown, sender: AgentId, recipient: AgentId | null): unknown;
}

/** Passes every message through unchanged; subclass it and override only what you need. */
export class DefaultInterventionHandler implements InterventionHandler {
  onSend(message: unknown, _ctx: MessageContext, _recipient: AgentId): unknown {
    return message;
  }

  onPublish(message: unknown, _ctx: MessageContext): unknown {
    return message;
  }

  onResponse(message: unknown, _sender: AgentId, _recipient: AgentId | null): unknown {
    return message;
  }
}
