import { AsyncResource } from 'node:async_hooks';
import type { AgentId } from './agent-id.js';
import {
  ASYNC_CONTEXT_FRAMES,
  ChainedHandlerFrame,
  InstantiationFrame,
  contextStorage,
  currentCallChain,
  currentHandlerAgentId,
  type CallChain,
} from './context-storage.js';
import { AgentOperaError } from './errors.js';

/** Raised when a context accessor is used outside the scope that provides it. */
export class OutsideContextError extends AgentOperaError {
  override readonly name: string = 'OutsideContextError';
  override readonly code: string = 'OUTSIDE_CONTEXT';
}

function newHandlerScope(): AsyncResource {
  return new AsyncResource('AgentOperaHandlerScope');
}

/** Which agent's handler is running, available anywhere inside that handler's async call tree. */
export class MessageHandlerContext {
  private constructor() {}

  /** The id of the agent whose handler is running; throws `OutsideContextError` outside a handler. */
  static agentId(): AgentId {
    const id = currentHandlerAgentId();
    if (id === undefined) {
      throw new OutsideContextError(
        'MessageHandlerContext.agentId() was called outside a message handler; it is only available while an engine runs a handler',
      );
    }
    return id;
  }

  /** Like `agentId()`, but returns `undefined` outside a handler. */
  static tryAgentId(): AgentId | undefined {
    return currentHandlerAgentId();
  }

  /**
   * Runs `fn(...args)` with `agentId` as the current handling agent. Engines call this around
   * handlers; passing arguments instead of a closure saves an allocation per message.
   */
  static populateContext<A extends unknown[], R>(agentId: AgentId, fn: (...args: A) => R, ...args: A): R {
    const frame = contextStorage.getStore();
    // Inside a builder the builder's scope stays visible to the handler it starts.
    const next = frame instanceof InstantiationFrame ? new InstantiationFrame(frame.engine, frame.agentId, agentId) : agentId;
    return contextStorage.run(next, fn, ...args);
  }

  /**
   * Like `populateContext`, and the handler runs as part of `chain`: sends made inside it carry
   * the chain (`currentCallChain()`), which is how an engine recognises a call that comes back
   * to a serial agent whose turn is waiting on it.
   */
  static populateChainedContext<A extends unknown[], R>(
    agentId: AgentId,
    chain: CallChain | undefined,
    fn: (...args: A) => R,
    ...args: A
  ): R {
    return contextStorage.run(new ChainedHandlerFrame(agentId, chain), fn, ...args);
  }

  /**
   * `populateChainedContext`, entered from `scope`, a scope captured in the current context (an
   * engine's run loop): the same context results, for one context frame instead of two on Node ≥
   * 24 (the scope restores the caller's frame as it was, where `run()` builds another to restore
   * it). A serial agent's every turn needs a context of its own, so this is its cost per message.
   * Elsewhere it is `populateChainedContext`.
   */
  static populateChainedContextFrom<A extends unknown[], R>(
    scope: AsyncResource,
    agentId: AgentId,
    chain: CallChain | undefined,
    fn: (...args: A) => R,
    ...args: A
  ): R {
    if (!ASYNC_CONTEXT_FRAMES) return MessageHandlerContext.populateChainedContext(agentId, chain, fn, ...args);
    return scope.runInAsyncScope(enterChained<A, R>, undefined, new ChainedHandlerFrame(agentId, chain), fn, args);
  }

  /** The call chain the running handler belongs to (engines use it); `undefined` outside one. */
  static currentCallChain(): CallChain | undefined {
    return currentCallChain();
  }

  /**
   * Captures, once, the scope `populateContext(agentId, …)` would enter from the current context;
   * `scope.runInAsyncScope(fn, thisArg, ...args)` re-enters it. Use it only from the context it
   * was captured in (an engine's run loop). On Node ≥ 24 `run` builds two context frames per call
   * and re-entering a captured scope none, which is why an engine caches scopes per agent;
   * elsewhere `populateContext` is as cheap.
   */
  static captureScope(agentId: AgentId): AsyncResource {
    return MessageHandlerContext.populateContext(agentId, newHandlerScope);
  }
}

/** Enters `frame` for the rest of the scope's callback (which restores the frame before it), then calls `fn`. */
function enterChained<A extends unknown[], R>(frame: ChainedHandlerFrame, fn: (...args: A) => R, args: A): R {
  contextStorage.enterWith(frame);
  return fn(...args);
}
