import { AsyncResource } from 'node:async_hooks';
import { ASYNC_CONTEXT_FRAMES, MessageHandlerContext, type Agent, type AgentId, type CallChain, type MessageContext } from '@agentopera/types';
import type { Activation } from './activation.js';
import type { AgentDirectory } from './agent-directory.js';
import { messageTypeName } from './message-intake.js';
import { Turn } from './turn.js';

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
  /**
   * The run loop's own scope (Node ≥ 24 only, while the loop runs): a handler in a call chain (a
   * serial agent's turn, any handler once serial types exist) enters its context from here, for
   * one context frame instead of two (see `MessageHandlerContext.populateChainedContextFrom`).
   */
  private loopScope: AsyncResource | undefined = undefined;

  constructor(private readonly directory: AgentDirectory) {}

  /** Turns the per-recipient scope cache on for one run (off again with `undefined`). */
  cacheScopes(on: boolean): void {
    this.scopes = on && ASYNC_CONTEXT_FRAMES ? new Map() : undefined;
    this.seen = undefined;
    this.loopScope = on && ASYNC_CONTEXT_FRAMES ? new AsyncResource('AgentOperaRunLoop') : undefined;
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
    let result: Promise<unknown>;
    try {
      const registration = activation.registration;
      if (registration === undefined || registration.direct) {
        result = this.callDirect(activation, recipient, message, ctx, chain);
      } else if (registration.serial && (activation.agent as InterleavingAgent).isInterleaving?.(message, ctx) !== true) {
        activation.startTurn(new SerialDelivery(this, activation, recipient, message, ctx, chain, delivered, failed));
        return;
      } else {
        result = this.handleAndSave(activation, recipient, message, ctx, chain);
      }
    } catch (error) {
      directory.leave(activation);
      return failed(error);
    }
    Promise.resolve(result).then(
      (value) => {
        directory.leave(activation);
        delivered(value);
      },
      (error: unknown) => {
        directory.leave(activation);
        failed(error);
      },
    );
  }

  /** @internal A delivery that `runThen` entered has ended. */
  left(activation: Activation): void {
    this.directory.leave(activation);
  }

  /** Starts the handler synchronously (no turn, no save); the caller does `enter`/`leave`. */
  callDirect(activation: Activation, recipient: AgentId, message: unknown, ctx: MessageContext, chain: CallChain | undefined): Promise<unknown> {
    return this.callAgent(activation.agent, recipient, message, ctx, chain);
  }

  /** `callDirect` for an agent kept bare (no `Activation`); the caller counts the delivery. */
  callAgent(agent: Agent, recipient: AgentId, message: unknown, ctx: MessageContext, chain: CallChain | undefined): Promise<unknown> {
    if (this.directory.hasSerialTypes) return this.callChained(recipient, chain, agent, message, ctx);
    // The common case first, in as few calls as possible: this sits on every plain delivery, and
    // V8 inlines a shallow chain of calls into the dispatch loop where it gives up on a deep one.
    if (this.scopes === undefined) return MessageHandlerContext.populateContext(recipient, callHandler, agent, message, ctx);
    return this.callInScope(recipient, agent, message, ctx);
  }

  /** @internal The handler, then the save of an agent persisted per turn (or, if either fails, the instance dropped). */
  async handleAndSave(
    activation: Activation,
    recipient: AgentId,
    message: unknown,
    ctx: MessageContext,
    chain: CallChain | undefined,
  ): Promise<unknown> {
    const perTurn = activation.registration?.persistence === 'turn';
    let result: unknown;
    try {
      result = await this.callChained(recipient, chain, activation.agent, message, ctx);
      if (perTurn) await this.directory.saveTurn(activation);
    } catch (error) {
      // A failed turn commits nothing: the instance, which may hold half of its changes, is
      // dropped unsaved, and the caller hears the handler's (or the save's) error.
      if (perTurn) this.directory.discard(activation);
      throw error;
    }
    return result;
  }

  /** @internal Calls the handler inside its `MessageHandlerContext` as part of `chain`. */
  callChained(recipient: AgentId, chain: CallChain | undefined, agent: Agent, message: unknown, ctx: MessageContext): Promise<unknown> {
    const loop = this.loopScope;
    if (loop === undefined) return MessageHandlerContext.populateChainedContext(recipient, chain, callHandler, agent, message, ctx);
    return MessageHandlerContext.populateChainedContextFrom(loop, recipient, chain, callHandler, agent, message, ctx);
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
 * One message to a serial agent, as its turn: the handler (and a per-turn save) in the turn's
 * chain, then `leave` and the caller's callbacks. Without per-turn saves the turn's work is the
 * handler's own promise: no wrapper per message.
 */
class SerialDelivery extends Turn {
  constructor(
    private readonly runner: HandlerRunner,
    private readonly activation: Activation,
    private readonly recipient: AgentId,
    private readonly message: unknown,
    private readonly ctx: MessageContext,
    chain: CallChain | undefined,
    private readonly delivered: (value: unknown) => void,
    private readonly failed: (error: unknown) => void,
  ) {
    super(chain);
  }

  override messageType(): string {
    return messageTypeName(this.message);
  }

  work(chain: CallChain | undefined): Promise<unknown> {
    const { runner, activation, recipient, message, ctx } = this;
    // The instance was dropped while this turn waited (a turn before it failed): the message goes
    // to the next instance, which starts from the last committed state.
    if (activation.retired) return runner.run(activation, recipient, message, ctx, this.next);
    if (activation.registration?.persistence === 'turn') return runner.handleAndSave(activation, recipient, message, ctx, chain);
    return runner.callChained(recipient, chain, activation.agent, message, ctx);
  }

  protected succeed(value: unknown): void {
    this.runner.left(this.activation);
    this.delivered(value);
  }

  protected fail(error: unknown): void {
    this.runner.left(this.activation);
    this.failed(error);
  }
}

/** Invokes a handler; module-level so that starting one allocates no closure. */
function callHandler(agent: Agent, message: unknown, ctx: MessageContext): Promise<unknown> {
  return agent.onMessage(message, ctx);
}
