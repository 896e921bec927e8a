import type { AgentId, AgentState } from '@agentopera/types';
import { StateConflictError, StateStoreClosedError } from './errors.js';
import { assertJsonSafeState } from './json-safe-state.js';
import type { DeleteStateOptions, SetStateOptions, StateStore, StoredState } from './state-store.js';
import { checkAgentId, checkDeleteOptions, checkSetOptions, idString, versionMatches } from './store-input.js';

interface Entry {
  readonly json: string;
  readonly version: string;
}

/**
 * A `StateStore` in this process's memory: for tests, and for engines whose agents may lose their
 * state when the process ends. Entries are kept as JSON text, so every `get` builds a fresh copy.
 * Versions count up across the whole store and are never reused, even after a delete, so a writer
 * holding a version from before the delete cannot overwrite a newer entry.
 */
export class InMemoryStateStore implements StateStore {
  readonly #entries = new Map<string, Entry>();
  #lastVersion = 0;
  #closed = false;

  /** Number of entries held (for tests and monitoring). */
  get size(): number {
    return this.#entries.size;
  }

  // Each method does all its work synchronously, so a compare-and-set is atomic.
  async get(id: AgentId): Promise<StoredState | undefined> {
    return this.getNow(id);
  }

  async set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string> {
    return this.setNow(id, state, options);
  }

  getNow(id: AgentId): StoredState | undefined {
    this.#checkOpen();
    const entry = this.#entries.get(idString(checkAgentId(id)));
    return entry && { state: JSON.parse(entry.json) as AgentState, version: entry.version };
  }

  setNow(id: AgentId, state: AgentState, options?: SetStateOptions): string {
    this.#checkOpen();
    const key = idString(checkAgentId(id));
    const expected = checkSetOptions(id, options);
    assertJsonSafeState(id, state);
    const actual = this.#entries.get(key)?.version ?? null;
    if (!versionMatches(expected, actual)) throw new StateConflictError(id, expected ?? null, actual);
    const version = String(++this.#lastVersion);
    this.#entries.set(key, { json: JSON.stringify(state), version });
    return version;
  }

  async delete(id: AgentId, options?: DeleteStateOptions): Promise<boolean> {
    this.#checkOpen();
    const key = idString(checkAgentId(id));
    const expected = checkDeleteOptions(id, options);
    const actual = this.#entries.get(key)?.version ?? null;
    if (!versionMatches(expected, actual)) throw new StateConflictError(id, expected ?? null, actual);
    return this.#entries.delete(key);
  }

  /** Drops every entry; later calls reject with `StateStoreClosedError`. Closing twice is harmless. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StateStoreClosedError('This InMemoryStateStore is closed');
  }
}
