import { DefaultInterventionHandler, type AgentId, type MessageContext } from '@agentopera/core';

/**
 * Counts messages as the engine dispatches them. Intervention handlers see every send and every
 * publish once, so counting needs no cooperation from the agents.
 */
export class MessageCounter extends DefaultInterventionHandler {
  sent = 0;
  published = 0;

  /** Messages the engine has taken off its queue and handed on. */
  get processed(): number {
    return this.sent + this.published;
  }

  override onSend(message: unknown, _ctx: MessageContext, _recipient: AgentId): unknown {
    this.sent++;
    return message;
  }

  override onPublish(message: unknown, _ctx: MessageContext): unknown {
    this.published++;
    return message;
  }
}
