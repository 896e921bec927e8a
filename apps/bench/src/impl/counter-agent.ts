import { BaseAgent, type AgentState, type MessageContext } from '@agentopera/core';

/** An agent with a little state (a counter), saved and loaded through the engine's state store. */
export class CounterAgent extends BaseAgent {
  private count = 0;

  constructor() {
    super('counter');
  }

  protected async onMessageImpl(_message: unknown, _ctx: MessageContext): Promise<unknown> {
    return ++this.count;
  }

  override async saveState(): Promise<AgentState> {
    return { count: this.count };
  }

  override async loadState(state: AgentState): Promise<void> {
    this.count = state.count as number;
  }
}
