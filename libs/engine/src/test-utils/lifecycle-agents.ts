import { InMemoryStateStore, type SetStateOptions, type StateStore, type StoredState } from '@agentopera/state';
import {
  AgentInstantiationContext,
  type Agent,
  type AgentEngine,
  type AgentId,
  type AgentMetadata,
  type AgentState,
  type MessageContext,
} from '@agentopera/types';

export type CounterHandler = (message: unknown, ctx: MessageContext, agent: CounterAgent) => unknown;

/**
 * A stateful agent for lifecycle tests: its state is a count of handled messages, it records
 * overlapping handlers and any message that reaches it after `close()`.
 */
export class CounterAgent implements Agent {
  id!: AgentId;
  engine!: AgentEngine;
  count = 0;
  running = 0;
  maxRunning = 0;
  closed = false;
  lateMessages = 0;
  loaded: AgentState | undefined = undefined;
  readonly handled: unknown[] = [];

  constructor(private readonly handler: CounterHandler = (message) => message) {
    if (AgentInstantiationContext.isInFactoryCall()) {
      this.id = AgentInstantiationContext.currentAgentId();
      this.engine = AgentInstantiationContext.currentEngine();
    }
  }

  get metadata(): AgentMetadata {
    return { type: this.id.type, key: this.id.key, description: 'counter' };
  }

  bindIdAndEngine(id: AgentId, engine: AgentEngine): void {
    this.id = id;
    this.engine = engine;
  }

  async onMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    if (this.closed) this.lateMessages++;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      this.count++;
      this.handled.push(message);
      return await this.handler(message, ctx, this);
    } finally {
      this.running--;
    }
  }

  async saveState(): Promise<AgentState> {
    return { count: this.count };
  }

  async loadState(state: AgentState): Promise<void> {
    this.loaded = state;
    this.count = Number(state['count']);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** An in-memory store that fails or hangs on command and counts its calls. */
export class ControllableStore implements StateStore {
  readonly inner = new InMemoryStateStore();
  failSets = false;
  failGets = false;
  /** While set, `set` waits for this promise before writing. */
  holdSets: Promise<void> | undefined = undefined;
  hangSets = false;
  sets = 0;

  async get(id: AgentId): Promise<StoredState | undefined> {
    if (this.failGets) throw new StoreFailure(`get ${id}`);
    return this.inner.get(id);
  }

  async set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string> {
    this.sets++;
    if (this.hangSets) return new Promise<string>(() => undefined);
    if (this.holdSets !== undefined) await this.holdSets;
    if (this.failSets) throw new StoreFailure(`set ${id}`);
    return this.inner.set(id, state, options);
  }

  delete(id: AgentId): Promise<boolean> {
    return this.inner.delete(id);
  }

  async count(id: AgentId): Promise<number | undefined> {
    const stored = await this.inner.get(id);
    return stored === undefined ? undefined : Number(stored.state['count']);
  }
}

export class StoreFailure extends Error {
  override readonly name = 'StoreFailure';
}

/** Polls `condition` on macrotasks until it holds (bounded: fails the test instead of hanging). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
