import type { AgentId } from './agent-id.js';
import type { AgentEngine } from './agent-engine.js';
import type { AgentMetadata } from './agent-metadata.js';
import type { MessageContext } from './message-context.js';

/** State an agent saves and loads: a JSON-compatible plain object. */
export type AgentState = Record<string, unknown>;

/** What an engine needs from an agent. `BaseAgent` implements it; any object may. */
export interface Agent {
  readonly id: AgentId;
  readonly metadata: AgentMetadata;
  /** Binds a pre-built agent to its id and engine (called by `registerAgentInstance`). */
  bindIdAndEngine(id: AgentId, engine: AgentEngine): void | Promise<void>;
  /**
   * Handles one message; the resolved value is the RPC result (ignored for published messages).
   * Resolving to `NotHandled` for a published message tells the engine that no handler accepted
   * it, and the engine reports an `UnhandledMessageEvent`.
   */
  onMessage(message: unknown, ctx: MessageContext): Promise<unknown>;
  /**
   * Whether the handler `message` would be routed to may run while another handler of this agent
   * is running (a serial agent's turn in progress): `interleave: true` on the handler. Only looks
   * the handler up; runs nothing. Absent means `false` for every message.
   */
  isInterleaving?(message: unknown, ctx: MessageContext): boolean;
  saveState(): Promise<AgentState>;
  loadState(state: AgentState): Promise<void>;
  close(): Promise<void>;
}

/**
 * Marks an agent's lifecycle method that has no effect: a `saveState` that returns `{}`, a
 * `loadState` or `close` that does nothing. `BaseAgent`'s defaults carry it. An engine may skip
 * calling a marked method (taking `{}` for a marked `saveState`), so deactivating an agent that
 * overrides none of them costs no promise; under a cap on live agents that is one call in two.
 * Any override is unmarked, even one that calls `super`, and so is always called.
 */
export const noOpLifecycle: unique symbol = Symbol.for('agentopera.noOpLifecycle');

/** Marks `method` with `noOpLifecycle` (see there); returns it. */
export function markNoOpLifecycle<F extends (...args: never[]) => unknown>(method: F): F {
  Object.defineProperty(method, noOpLifecycle, { value: true });
  return method;
}

/** Whether `method` is marked with `noOpLifecycle`. */
export function isNoOpLifecycle(method: unknown): boolean {
  return typeof method === 'function' && (method as { readonly [noOpLifecycle]?: unknown })[noOpLifecycle] === true;
}
