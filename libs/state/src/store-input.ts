import { AgentId, describeValue, validateAgentType } from '@agentopera/types';
import type { DeleteStateOptions, SetStateOptions } from './state-store.js';

// Stores sit at a boundary (plain JavaScript callers, other package copies), so they check their
// input themselves rather than trusting the static types.

/** Throws a `TypeError` unless `id` is an AgentId (or has its shape, e.g. from another copy of the package). */
export function checkAgentId(id: unknown): AgentId {
  // An AgentId checked its type and key when it was made (its fields are read-only).
  if (id instanceof AgentId) return id;
  if (typeof id !== 'object' || id === null) {
    throw new TypeError(`Invalid agent id ${describeValue(id)}: a state store needs an AgentId`);
  }
  const { type, key } = id as { type?: unknown; key?: unknown };
  try {
    validateAgentType(type);
  } catch {
    throw new TypeError(`Invalid agent id ${describeValue(id)}: its type ${describeValue(type)} is not a valid agent type`);
  }
  if (typeof key !== 'string') {
    throw new TypeError(`Invalid agent id ${describeValue(id)}: its key ${describeValue(key)} is not a string`);
  }
  return id as AgentId;
}

/** The one string that stands for an id: types never contain `/`, so `type/key` is unambiguous. */
export function idString(id: AgentId): string {
  // An AgentId keeps its string form (and the engine has hashed it already): no new string per call.
  if (id instanceof AgentId) return id.toString();
  const { type, key } = id as { readonly type: string; readonly key: string };
  return `${type}/${key}`;
}

/** Returns `expectedVersion` (`undefined` when omitted) after checking it is `null` or a string. */
export function checkSetOptions(id: AgentId, options: SetStateOptions | undefined): string | null | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Invalid set options for ${idString(id)}: ${describeValue(options)} is not an object`);
  }
  const expected = options.expectedVersion;
  if (expected === undefined || expected === null || typeof expected === 'string') return expected;
  throw new TypeError(
    `Invalid expectedVersion for ${idString(id)}: ${describeValue(expected)}; use a version string, null (no entry) or leave it out`,
  );
}

/** Returns `expectedVersion` (`undefined` when omitted) after checking it is a string. */
export function checkDeleteOptions(id: AgentId, options: DeleteStateOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Invalid delete options for ${idString(id)}: ${describeValue(options)} is not an object`);
  }
  const expected = options.expectedVersion;
  if (expected === undefined || typeof expected === 'string') return expected;
  throw new TypeError(`Invalid expectedVersion for ${idString(id)}: ${describeValue(expected)}; use a version string or leave it out`);
}

/** Whether a write expecting `expected` (omitted: anything) may replace `actual` (`null`: no entry). */
export function versionMatches(expected: string | null | undefined, actual: string | null): boolean {
  return expected === undefined || expected === actual;
}
