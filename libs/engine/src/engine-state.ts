import { AgentId, InvalidStateError, describeValue, type AgentState, type EngineState } from '@agentopera/types';

/** `true` for `{}`-like objects: not null, arrays, class instances or primitives. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates a whole saved engine state before anything is loaded from it, so a malformed one
 * changes nothing: a plain object whose keys are agent ids (`"type/key"`) and whose values are
 * plain objects.
 */
export function parseEngineState(state: EngineState): [AgentId, AgentState][] {
  if (!isPlainObject(state)) {
    throw new InvalidStateError(`loadState needs a plain object keyed by agent id, got ${describeValue(state)}`);
  }
  const entries: [AgentId, AgentState][] = [];
  for (const [key, agentState] of Object.entries(state)) {
    let id: AgentId;
    try {
      id = AgentId.fromStr(key);
    } catch (error) {
      throw new InvalidStateError(`loadState: ${describeValue(key)} is not an agent id ("type/key")`, { cause: error });
    }
    if (!isPlainObject(agentState)) {
      throw new InvalidStateError(`loadState: the state of ${key} must be a plain object, got ${describeValue(agentState)}`);
    }
    entries.push([id, agentState]);
  }
  return entries;
}
