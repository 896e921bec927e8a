import type { AgentId, AgentState } from '@agentopera/types';
import { StateConflictError, StateStoreClosedError } from './errors.js';
import { assertJsonSafeState } from './json-safe-state.js';
import type { DeleteStateOptions, SetStateOptions, StoredState } from './state-store.js';
import { SYNCHRONOUS_STATE_ACCESS, type SynchronousStateAccess, type SynchronouslyAccessibleStateStore } from './synchronous-state-access.js';
import { checkAgentId, checkDeleteOptions, checkSetOptions, idString, versionMatches } from './store-input.js';

/** A stored state other than `{}`, as JSON text, and its version. */
interface Entry {
  readonly json: string;
  readonly version: number;
}

/**
 * What the map holds: an `Entry`, or only the version of an entry whose state is `{}` (most agents
 * that have never changed their state). A number is held in the map slot itself, so a store of a
 * million such entries keeps no object per entry, and the garbage collector has none to move.
 */
type Slot = Entry | number;

const EMPTY_JSON = '{}';

/**
 * A `StateStore` in this process's memory: for tests, and for engines whose agents may lose their
 * state when the process ends. Entries are kept as JSON text, so every `get` builds a fresh copy.
 * Versions count up across the whole store and are never reused, even after a delete, so a writer
 * holding a version from before the delete cannot overwrite a newer entry.
 */
export class InMemoryStateStore implements SynchronouslyAccessibleStateStore {
  readonly #entries = new Map<string, Slot>();
  #lastVersion = 0;
  #closed = false;

  /** Number of entries held (for tests and monitoring). */
  get size(): number {
    return this.#entries.size;
  }

  /** It answers without I/O: engines may load and save synchronously (see `SynchronousStateAccess`). */
  readonly [SYNCHRONOUS_STATE_ACCESS]: SynchronousStateAccess = {
    get: (id) => this.#get(id),
    set: (id, state, options) => this.#set(id, state, options),
  };

  // Each method does all its work synchronously, so a compare-and-set is atomic.
  async get(id: AgentId): Promise<StoredState | undefined> {
    return this.#get(id);
  }

  async set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string> {
    return this.#set(id, state, options);
  }

  #get(id: AgentId): StoredState | undefined {
    this.#checkOpen();
    const slot = this.#entries.get(idString(checkAgentId(id)));
    if (slot === undefined) return undefined;
    if (typeof slot === 'number') return { state: {}, version: String(slot) };
    return { state: JSON.parse(slot.json) as AgentState, version: String(slot.version) };
  }

  #set(id: AgentId, state: AgentState, options?: SetStateOptions): string {
    this.#checkOpen();
    const key = idString(checkAgentId(id));
    const expected = checkSetOptions(id, options);
    assertJsonSafeState(id, state);
    this.#checkVersion(id, key, expected);
    const version = ++this.#lastVersion;
    const json = JSON.stringify(state);
    this.#entries.set(key, json === EMPTY_JSON ? version : { json, version });
    return String(version);
  }

  async delete(id: AgentId, options?: DeleteStateOptions): Promise<boolean> {
    this.#checkOpen();
    const key = idString(checkAgentId(id));
    const expected = checkDeleteOptions(id, options);
    this.#checkVersion(id, key, expected);
    return this.#entries.delete(key);
  }

  /** Drops every entry; later calls reject with `StateStoreClosedError`. Closing twice is harmless. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
  }

  /** Throws `StateConflictError` unless a write expecting `expected` may replace the entry of `key`. */
  #checkVersion(id: AgentId, key: string, expected: string | null | undefined): void {
    if (expected === undefined) return;
    const slot = this.#entries.get(key);
    // Absent expects null; present expects its version (made a string only to compare it).
    const actual = slot === undefined ? null : String(typeof slot === 'number' ? slot : slot.version);
    if (!versionMatches(expected, actual)) throw new StateConflictError(id, expected, actual);
  }

  #checkOpen(): void {
    if (this.#closed) throw new StateStoreClosedError('This InMemoryStateStore is closed');
  }
}
