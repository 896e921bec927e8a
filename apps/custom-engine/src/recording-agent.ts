import type { Agent, AgentEngine, AgentId, AgentMetadata, AgentState, MessageContext } from '@agentopera/types';

/**
 * A hand-written `Agent` (no base class from `@agentopera/agents`): it notes which sender each
 * message came from, in the order handlers start, and answers with the message it got.
 */
export class RecordingAgent implements Agent {
  constructor(
    readonly id: AgentId,
    private readonly log: string[],
  ) {}

  get metadata(): AgentMetadata {
    return { type: this.id.type, key: this.id.key, description: 'records the sender of each message' };
  }

  bindIdAndEngine(_id: AgentId, _engine: AgentEngine): void {}

  async onMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    this.log.push(ctx.sender === null ? '(external)' : ctx.sender.type);
    return message;
  }

  async saveState(): Promise<AgentState> {
    return { handled: this.log.length };
  }

  async loadState(_state: AgentState): Promise<void> {}

  async close(): Promise<void> {}
}
