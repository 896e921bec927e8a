import {
  AgentInstantiationContext,
  type Agent,
  type AgentEngine,
  type AgentId,
  type AgentMetadata,
  type AgentState,
  type MessageContext,
} from '@agentopera/types';

export type TestHandler = (message: unknown, ctx: MessageContext, agent: TestAgent) => unknown;

/**
 * A minimal hand-written Agent (the engine must not depend on @agentopera/agents): records what
 * it receives and answers with `handler`'s result (the message itself by default).
 */
export class TestAgent implements Agent {
  id!: AgentId;
  engine!: AgentEngine;
  readonly received: unknown[] = [];
  readonly contexts: MessageContext[] = [];
  closed = false;

  constructor(
    private readonly handler: TestHandler = (message) => message,
    readonly description = 'test agent',
  ) {
    if (AgentInstantiationContext.isInFactoryCall()) {
      this.id = AgentInstantiationContext.currentAgentId();
      this.engine = AgentInstantiationContext.currentEngine();
    }
  }

  get metadata(): AgentMetadata {
    return { type: this.id.type, key: this.id.key, description: this.description };
  }

  bindIdAndEngine(id: AgentId, engine: AgentEngine): void {
    this.id = id;
    this.engine = engine;
  }

  async onMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    this.received.push(message);
    this.contexts.push(ctx);
    return this.handler(message, ctx, this);
  }

  async saveState(): Promise<AgentState> {
    return { received: this.received.length };
  }

  async loadState(state: AgentState): Promise<void> {
    this.received.push({ loaded: state });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Resolves after the event loop has run pending macrotasks (lets background handlers progress). */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, for handlers that wait on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
