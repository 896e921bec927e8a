import { describeValue } from './errors.js';
import type { AgentType } from './agent-type.js';

const AGENT_TYPE_PATTERN = /^[\w\-.]+$/;

/** Throws a `TypeError` naming `value` unless it is a valid agent type (`^[\w\-.]+$`). */
export function validateAgentType(value: unknown): string {
  if (typeof value !== 'string' || !AGENT_TYPE_PATTERN.test(value)) {
    throw new TypeError(
      `Invalid agent type ${describeValue(value)}: it must be a non-empty string of letters, digits, '_', '-' or '.'`,
    );
  }
  return value;
}

/** Address of one agent instance: its type plus a key. Agents are created lazily per distinct id. */
export class AgentId {
  readonly type: string;
  readonly key: string;
  // Engines key their maps by the string form on every message; build it once.
  #str: string | undefined = undefined;

  constructor(type: string | AgentType, key: string) {
    this.type = validateAgentType(typeof type === 'string' ? type : type?.type);
    if (typeof key !== 'string') {
      throw new TypeError(`Invalid agent key ${describeValue(key)} for type "${this.type}": it must be a string`);
    }
    this.key = key;
  }

  /** Parses `"type/key"` (the key may itself contain `/`). */
  static fromStr(value: string): AgentId {
    const slash = typeof value === 'string' ? value.indexOf('/') : -1;
    if (slash < 0) {
      throw new TypeError(`Invalid agent id ${describeValue(value)}: expected "type/key"`);
    }
    return new AgentId(value.slice(0, slash), value.slice(slash + 1));
  }

  equals(other: unknown): boolean {
    return other instanceof AgentId && other.type === this.type && other.key === this.key;
  }

  toString(): string {
    return (this.#str ??= `${this.type}/${this.key}`);
  }

  toJSON(): string {
    return this.toString();
  }
}
