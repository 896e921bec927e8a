import { resolve } from 'node:path';
import { FileStateStore, InMemoryStateStore, StateStoreLocationError } from '@agentopera/core';
import { CountingStateStore } from './counting-state-store.js';
import { UsageError } from './usage-error.js';

/** Where the run keeps agent state, and how the report names it. */
export interface AgentStateStore {
  readonly store: CountingStateStore;
  /** `"in DIR"` or `"in memory, for this run"`. */
  readonly where: string;
}

/**
 * The engine's state store for the command line: a `FileStateStore` in `--state-dir` (a later
 * run resumes from it); with only `--max-agents`, an `InMemoryStateStore`, so that an agent
 * deactivated over the cap gets its state back on its next message; otherwise none (agents then
 * live until the engine closes, as before).
 */
export function createAgentStateStore(stateDir: string | undefined, maxAgents: number | undefined): AgentStateStore | undefined {
  if (stateDir !== undefined) {
    let store: FileStateStore;
    try {
      store = new FileStateStore(stateDir);
    } catch (error) {
      if (error instanceof StateStoreLocationError) throw new UsageError(`--state-dir: ${error.message}`);
      throw error;
    }
    return { store: new CountingStateStore(store), where: `in ${resolve(stateDir)}` };
  }
  if (maxAgents !== undefined) return { store: new CountingStateStore(new InMemoryStateStore()), where: 'in memory, for this run' };
  return undefined;
}
