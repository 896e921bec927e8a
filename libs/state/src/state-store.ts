import type { AgentId, AgentState } from '@agentopera/types';

/** What a store holds for one agent: its state and the version that write produced. */
export interface StoredState {
  readonly state: AgentState;
  readonly version: string;
}

/** Options of `StateStore.set`. */
export interface SetStateOptions {
  /**
   * Compare-and-set: omitted writes unconditionally; `null` writes only if the id has no entry;
   * a string writes only if the stored version is that one. A mismatch is a `StateConflictError`.
   */
  readonly expectedVersion?: string | null;
}

/** Options of `StateStore.delete`. */
export interface DeleteStateOptions {
  /** Deletes only if the stored version is this one; otherwise `StateConflictError`. */
  readonly expectedVersion?: string;
}

/**
 * Where engines keep agent state between activations. Every `AgentId` has its own entry; `get`
 * returns a copy and `set` stores a copy, so neither side can change the other's object.
 * A store that answers without I/O may also offer `SynchronousStateAccess`.
 */
export interface StateStore {
  /** The entry of `id`, or `undefined` when there is none. */
  get(id: AgentId): Promise<StoredState | undefined>;
  /** Stores `state` (JSON-safe, see `assertJsonSafeState`) as the entry of `id`; resolves with its new version. */
  set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string>;
  /** Removes the entry of `id`; resolves `false` when there was none. */
  delete(id: AgentId, options?: DeleteStateOptions): Promise<boolean>;
  /** Releases what the store holds; later calls reject. */
  close?(): Promise<void>;
}
