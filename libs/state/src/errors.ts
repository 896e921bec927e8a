import { AgentOperaError, type AgentId } from '@agentopera/types';

/** Formats a version for a message: quoted, or "no entry" when absent. */
function describeVersion(version: string | null): string {
  return version === null ? 'no entry' : `version ${JSON.stringify(version)}`;
}

/**
 * A compare-and-set found another version than the caller expected; nothing was written.
 * `expected` / `actual` are `null` for "no entry".
 */
export class StateConflictError extends AgentOperaError {
  override readonly name = 'StateConflictError';
  override readonly code = 'STATE_CONFLICT';

  constructor(
    readonly id: AgentId,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`State conflict for ${id.type}/${id.key}: expected ${describeVersion(expected)}, found ${describeVersion(actual)}`);
  }
}

/** The store was closed; it accepts no more calls. */
export class StateStoreClosedError extends AgentOperaError {
  override readonly name = 'StateStoreClosedError';
  override readonly code = 'STATE_STORE_CLOSED';
}

/** A stored entry cannot be read back (not our format, or it belongs to another id). */
export class CorruptStateError extends AgentOperaError {
  override readonly name = 'CorruptStateError';
  override readonly code = 'STATE_CORRUPT';
}

/** The store cannot use the place it was given (a directory that is a file, no permission, ...). */
export class StateStoreLocationError extends AgentOperaError {
  override readonly name = 'StateStoreLocationError';
  override readonly code = 'STATE_STORE_LOCATION';
}
