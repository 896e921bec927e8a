import { BaseAgent, type AgentState, type MessageContext } from '@agentopera/core';

/**
 * An agent whose whole state is one counter: each message adds one and the reply is the new
 * count, so the second message an agent ever gets must answer 2, which it can only do if its
 * state went to the store when it was deactivated and came back when it was activated again.
 */
export class CounterAgent extends BaseAgent {
  private count = 0;

  constructor() {
    super('counts its messages');
  }

  protected async onMessageImpl(_message: unknown, _ctx: MessageContext): Promise<number> {
    return ++this.count;
  }

  override async saveState(): Promise<AgentState> {
    return { count: this.count };
  }

  override async loadState(state: AgentState): Promise<void> {
    if (typeof state.count !== 'number') throw new TypeError(`${this.id}: stored state has no count: ${JSON.stringify(state)}`);
    this.count = state.count;
  }
}
