import { AsyncLocalStorage } from 'node:async_hooks';
import type { AgentId } from './agent-id.js';
import { AgentOperaError } from './errors.js';

/** Raised when a context accessor is used outside the scope that provides it. */
export class OutsideContextError extends AgentOperaError {}

const storage = new AsyncLocalStorage<AgentId>();

/** Which agent's handler is running, available anywhere inside that handler's async call tree. */
export class MessageHandlerContext {
  private constructor() {}

  /** The id of the agent whose handler is running; throws `OutsideContextError` outside a handler. */
  static agentId(): AgentId {
    const id = storage.getStore();
    if (id === undefined) {
      throw new OutsideContextError(
        'MessageHandlerContext.agentId() was called outside a message handler; it is only available while an engine runs a handler',
      );
    }
    return id;
  }

  /** Like `agentId()`, but returns `undefined` outside a handler. */
  static tryAgentId(): AgentId | undefined {
    return storage.getStore();
  }

  /** Runs `fn` with `agentId` as the current handling agent. Engines call this around handlers. */
  static populateContext<R>(agentId: AgentId, fn: () => R): R {
    return storage.run(agentId, fn);
  }
}
