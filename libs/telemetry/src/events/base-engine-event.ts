import type { AgentId, MessageChannel } from '@agentopera/types';

/** An address as it appears in an event's JSON: `"type/key"`, or null for none. */
export function addressToJson(address: AgentId | MessageChannel | null): string | null {
  return address === null ? null : address.toString();
}

/**
 * Common shape of the engine's structured events: the fields given are kept as they are and only
 * formatted when `toJSON()` / `toString()` is called, so building an event costs little.
 */
export abstract class BaseEngineEvent<Fields extends object, Json extends { readonly type: string }> {
  constructor(fields: Fields) {
    // Subclasses `declare` their fields, so this is the only place they are written.
    Object.assign(this, fields);
  }

  /** A JSON-safe view of the event: ids as strings, exceptions as `{ name, message }`. */
  abstract toJSON(): Json;

  /** The event as one line of JSON. */
  toString(): string {
    return JSON.stringify(this.toJSON());
  }
}
