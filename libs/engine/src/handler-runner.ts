import { AsyncResource } from 'node:async_hooks';
import { MessageHandlerContext, type Agent, type AgentId, type CallChain, type MessageContext } from '@agentopera/types';
import type { Activation, TurnWork } from './activation.js';
import type { AgentDirectory } from './agent-directory.js';

/** An agent that can tell, without running it, that its handler for a message may interleave a turn. */
interface InterleavingAgent extends Agent {
  isInterleaving?(message: unknown, ctx: MessageContext): boolean;
}

/**
 * Runs an agent's handler for one message in the handler's `MessageHandlerContext`: directly for
 * concurrent agents, as a turn for serial ones (unless the handler may interleave), followed by a
 * save for agents persisted per turn. The activation counts as busy throughout, which is what
 * idle deactivation waits for.
 */
export class HandlerRunner {
  /**
   * Handler scopes captured in the run loop's context, by recipient (Node ≥ 24 only, where entering
   * a scope anew costs two context frames). Only the run loop dispatches while it is set, and its
   * context never changes, so a captured scope is exactly the one `populateContext` would enter.
   * Bounded: cleared when full.
   */
  private scopes: Map<string, { readonly id: AgentId; readonly scope: AsyncResource }> | undefined = undefined;
  /** Recipients seen once since the cache last filled: only an agent's second message captures a scope. */
  private seen: Set<string> | undefined = undefined;

  constructor(private readonly directory: AgentDirectory) {}

  /** Turns the per-recipient scope cache on for one run (off again with `undefined`). */
  cacheScopes(on: boolean): void {
    this.scopes = on && CACHE_HANDLER_SCOPES ? new Map() : undefined;
    this.seen = undefined;
  }

  /**
   * The whole delivery of one message to `activation` (`recipient` is the id it was sent to: the
   * handler sees that very object): busy, turn, handler, per-turn save, idle.
   * The engine's fast path calls `callDirect` itself for direct agents instead, to save a promise.
   */
  run(found: Activation, recipient: AgentId, message: unknown, ctx: MessageContext, chain: CallChain | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => this.runThen(found, recipient, message, ctx, chain, resolve, reject));
  }

  /** `run` with callbacks: a turn that can start at once costs no more promises than a concurrent agent's handler. */
  runThen(
    found: Activation,
    recipient: AgentId,
    message: unknown,
    ctx: MessageContext,
    chain: CallChain | undefined,
    delivered: (value: unknown) => void,
    failed: (error: unknown) => void,
  ): void {
    // Looked up before an await, perhaps: it may have been deactivated since.
    if (found.retired || found.closing) {
      this.directory.enterLive(found, recipient).then((live) => this.runEntered(live, recipient, message, ctx, chain, delivered, failed), failed);
      return;
    }
    this.directory.enter(found);
    this.runEntered(found, recipient, message, ctx, chain, delivered, failed);
  }

  private runEntered(
    activation: Activation,
    recipient: AgentId,
    message: unknown,
    ctx: MessageContext,
    chain: CallChain | undefined,
    delivered: (value: unknown) => void,
    failed: (error: unknown) => void,
  ): void {
    const directory = this.directory;
    const ok = (value: unknown): void => {
      directory.leave(activation);
      delivered(value);
    };
    const fail = (error: unknown): void => {
      directory.leave(activation);
      failed(error);
    };
    let result: Promise<unknown>;
    try {
      const registration = activation.registration;
      if (registration === undefined || registration.direct) {
        result = this.callDirect(activation, recipient, message, ctx, chain);
      } else if (registration.serial && (activation.agent as InterleavingAgent).isInterleaving?.(message, ctx) !== true) {
        // Without per-turn saves the turn is the handler's own promise: no wrapper per message.
        const agent = activation.agent;
        const turn: TurnWork<unknown> =
          registration.persistence === 'turn'
            ? (link) => this.handleAndSave(activation, recipient, message, ctx, link)
            : (link) => MessageHandlerContext.populateChainedContext(recipient, link, callHandler, agent, message, ctx);
        activation.startTurn(chain, turn, ok, fail);
        return;
      } else {
        result = this.handleAndSave(activation, recipient, message, ctx, chain);
      }
    } catch (error) {
      return fail(error);
    }
    Promise.resolve(result).then(ok, fail);
  }

  /** Starts the handler synchronously (no turn, no save); the caller does `enter`/`leave`. */
  callDirect(activation: Activation, recipient: AgentId, message: unknown, ctx: MessageContext, chain: CallChain | undefined): Promise<unknown> {
    return this.callAgent(activation.agent, recipient, message, ctx, chain);
  }

  /** `callDirect` for an agent kept bare (no `Activation`); the caller counts the delivery. */
  callAgent(agent: Agent, recipient: AgentId, message: unknown, ctx: MessageContext, chain: CallChain | undefined): Promise<unknown> {
    if (this.directory.hasSerialTypes) return MessageHandlerContext.populateChainedContext(recipient, chain, callHandler, agent, message, ctx);
    // The common case first, in as few calls as possible: this sits on every plain delivery, and
    // V8 inlines a shallow chain of calls into the dispatch loop where it gives up on a deep one.
    if (this.scopes === undefined) return MessageHandlerContext.populateContext(recipient, callHandler, agent, message, ctx);
    return this.callInScope(recipient, agent, message, ctx);
  }

  private async handleAndSave(
    activation: Activation,
    recipient: AgentId,
    message: unknown,
    ctx: MessageContext,
    chain: CallChain | undefined,
  ): Promise<unknown> {
    let result: unknown;
    try {
      result = await MessageHandlerContext.populateChainedContext(recipient, chain, callHandler, activation.agent, message, ctx);
    } catch (error) {
      // The handler's error is what the caller hears; a failed save is reported as an event.
      if (activation.registration?.persistence === 'turn') await this.directory.saveTurn(activation).catch(() => undefined);
      throw error;
    }
    if (activation.registration?.persistence === 'turn') await this.directory.saveTurn(activation);
    return result;
  }

  /** Calls the handler inside its `MessageHandlerContext`, through a cached scope when there is one. */
  private callInScope(recipient: AgentId, agent: Agent, message: unknown, ctx: MessageContext): Promise<unknown> {
    const scopes = this.scopes;
    if (scopes === undefined) return MessageHandlerContext.populateContext(recipient, callHandler, agent, message, ctx);
    const key = recipient.toString();
    let entry = scopes.get(key);
    if (entry === undefined || entry.id !== recipient) {
      const seen = (this.seen ??= new Set());
      if (!seen.has(key)) {
        if (seen.size >= HANDLER_SCOPE_CACHE_SIZE) seen.clear();
        seen.add(key);
        return MessageHandlerContext.populateContext(recipient, callHandler, agent, message, ctx);
      }
      if (scopes.size >= HANDLER_SCOPE_CACHE_SIZE) scopes.clear();
      // Keyed by the id object too: the handler must see the very AgentId it was sent to.
      entry = { id: recipient, scope: MessageHandlerContext.captureScope(recipient) };
      scopes.set(key, entry);
    }
    return entry.scope.runInAsyncScope(callHandler, undefined, agent, message, ctx);
  }
}

const HANDLER_SCOPE_CACHE_SIZE = 1024;

/**
 * Whether AsyncLocalStorage runs on AsyncContextFrame (Node ≥ 24 unless turned off; Node 22 with
 * the experimental flag), where a cached scope is cheaper than `run`; on the promise-hook
 * implementation it is not.
 */
const CACHE_HANDLER_SCOPES = ((): boolean => {
  const flags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  const major = Number(process.versions.node.split('.')[0]);
  if (flags.includes('--no-async-context-frame')) return false;
  return major >= 24 || flags.includes('--experimental-async-context-frame');
})();

/** Invokes a handler; module-level so that starting one allocates no closure. */
function callHandler(agent: Agent, message: unknown, ctx: MessageContext): Promise<unknown> {
  return agent.onMessage(message, ctx);
}
