import { AsyncLocalStorage } from 'node:async_hooks';
import { AgentId } from './agent-id.js';
import type { AgentEngine } from './agent-engine.js';

/** The scope of an agent builder, carrying the handler scope it was entered from (if any). */
export class InstantiationFrame {
  constructor(
    readonly engine: AgentEngine,
    readonly agentId: AgentId,
    readonly handlerAgentId: AgentId | undefined,
  ) {}
}

/**
 * A link in a call chain: one turn of a serial agent, and the chain of the call that started it.
 * Engines compare links by identity to let a call that comes back to a running turn (A→B→A) in.
 */
export interface CallChain {
  readonly next: CallChain | undefined;
}

/** A handler that runs inside a call chain (only once serial agents exist). */
export class ChainedHandlerFrame {
  constructor(
    readonly handlerAgentId: AgentId,
    readonly chain: CallChain | undefined,
  ) {}
}

/**
 * What the current async call tree runs in: a bare `AgentId` inside a message handler (the common
 * case, so entering a handler allocates nothing), a `ChainedHandlerFrame` inside a handler that
 * is part of a call chain of serial turns, or an `InstantiationFrame` inside a builder.
 */
export type ContextFrame = AgentId | ChainedHandlerFrame | InstantiationFrame;

/**
 * One storage for both `MessageHandlerContext` and `AgentInstantiationContext`. On Node < 24 every
 * enabled AsyncLocalStorage adds work to every promise the process creates (its promise hook copies
 * each storage's value onto the new promise), so two contexts in one storage cost one, not two.
 */
export const contextStorage = new AsyncLocalStorage<ContextFrame>();

/**
 * Whether AsyncLocalStorage runs on AsyncContextFrame (Node ≥ 24 unless turned off; Node 22 with
 * the experimental flag). There `run()` builds two context frames per call (one to enter, one to
 * restore) and re-entering a captured scope builds none; with promise hooks (Node 20) neither
 * holds, and a scope's store can be changed for good by `enterWith` inside it.
 */
export const ASYNC_CONTEXT_FRAMES: boolean = ((): boolean => {
  const flags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  const major = Number(process.versions.node.split('.')[0]);
  if (flags.includes('--no-async-context-frame')) return false;
  return major >= 24 || flags.includes('--experimental-async-context-frame');
})();

export function currentHandlerAgentId(): AgentId | undefined {
  const frame = contextStorage.getStore();
  return frame instanceof AgentId ? frame : frame?.handlerAgentId;
}

export function currentCallChain(): CallChain | undefined {
  const frame = contextStorage.getStore();
  return frame instanceof ChainedHandlerFrame ? frame.chain : undefined;
}

export function currentInstantiationFrame(): InstantiationFrame | undefined {
  const frame = contextStorage.getStore();
  return frame instanceof InstantiationFrame ? frame : undefined;
}
