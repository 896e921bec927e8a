// TEMPORARY: SPEC §11's contract, until @agentopera/state lands on this branch; then this file is
// deleted and the imports point at @agentopera/state.
import { AgentOperaError, type AgentId, type AgentState } from '@agentopera/types';

export interface StoredState {
  readonly state: AgentState;
  readonly version: string;
}

export interface StateStore {
  get(id: AgentId): Promise<StoredState | undefined>;
  set(id: AgentId, state: AgentState, options?: { expectedVersion?: string | null }): Promise<string>;
  delete(id: AgentId, options?: { expectedVersion?: string }): Promise<boolean>;
  close?(): Promise<void>;
}

export class StateConflictError extends AgentOperaError {
  override readonly name = 'StateConflictError';
  readonly code = 'STATE_CONFLICT';
  constructor(
    readonly id: AgentId,
    readonly expected: string | null | undefined,
    readonly actual: string | undefined,
  ) {
    super(`State of ${id} is at version ${actual ?? '(absent)'}, expected ${expected ?? '(absent)'}`);
  }
}
