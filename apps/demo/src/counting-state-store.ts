import type { AgentId, AgentState, DeleteStateOptions, SetStateOptions, StateStore, StoredState } from '@agentopera/core';

/**
 * A `StateStore` that passes every call to another one and notes which agents' state was loaded
 * (a `get` that found an entry) and saved, for the report. The engine loads state lazily, on each
 * agent's activation, so only the store can tell how many agents resumed from it.
 */
export class CountingStateStore implements StateStore {
  private readonly loadedIds = new Set<string>();
  private readonly savedIds = new Set<string>();

  constructor(private readonly inner: StateStore) {}

  /** Distinct agents whose stored state was read. */
  get loaded(): number {
    return this.loadedIds.size;
  }

  /** Distinct agents whose state was written. */
  get saved(): number {
    return this.savedIds.size;
  }

  async get(id: AgentId): Promise<StoredState | undefined> {
    const stored = await this.inner.get(id);
    if (stored !== undefined) this.loadedIds.add(id.toString());
    return stored;
  }

  async set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string> {
    const version = await this.inner.set(id, state, options);
    this.savedIds.add(id.toString());
    return version;
  }

  delete(id: AgentId, options?: DeleteStateOptions): Promise<boolean> {
    return this.inner.delete(id, options);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
