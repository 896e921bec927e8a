import type { AgentId, AgentState } from '@agentopera/types';
import type { SetStateOptions, StateStore, StoredState } from './state-store.js';

/**
 * `get` and `set` of a store that answers without I/O, returning (or throwing) instead of
 * settling a promise: same checks, same copies, same versions. Not part of `StateStore`; a store
 * offers it under `SYNCHRONOUS_STATE_ACCESS`, and an engine that finds it loads and saves
 * without a promise (under a cap on live agents every activation loads one agent and saves
 * another, which on Node 20 is most of an in-memory store's cost).
 */
export interface SynchronousStateAccess {
  get(id: AgentId): StoredState | undefined;
  set(id: AgentId, state: AgentState, options?: SetStateOptions): string;
}

/** The key under which a store offers its `SynchronousStateAccess`. */
export const SYNCHRONOUS_STATE_ACCESS: unique symbol = Symbol('agentopera.state.synchronousAccess');

/** A store with synchronous access. */
export interface SynchronouslyAccessibleStateStore extends StateStore {
  readonly [SYNCHRONOUS_STATE_ACCESS]: SynchronousStateAccess;
}

/** The store's synchronous access, if it offers one. */
export function synchronousStateAccess(store: StateStore): SynchronousStateAccess | undefined {
  return (store as Partial<SynchronouslyAccessibleStateStore>)[SYNCHRONOUS_STATE_ACCESS];
}
