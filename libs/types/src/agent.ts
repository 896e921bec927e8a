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
  /** Handles one message; the resolved value is the RPC result (ignored for published messages). */
  onMessage(message: unknown, ctx: MessageContext): Promise<unknown>;
  saveState(): Promise<AgentState>;
  loadState(state: AgentState): Promise<void>;
  close(): Promise<void>;
}
