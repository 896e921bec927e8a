import { AsyncLocalStorage } from 'node:async_hooks';
import type { AgentId } from './agent-id.js';
import type { AgentEngine } from './agent-engine.js';
import { OutsideContextError } from './message-handler-context.js';

interface InstantiationScope {
  readonly engine: AgentEngine;
  readonly agentId: AgentId;
}

const storage = new AsyncLocalStorage<InstantiationScope>();

/**
 * The engine and id of the agent being built. Builders take no arguments: they (and the
 * constructors they call) read these instead.
 */
export class AgentInstantiationContext {
  private constructor() {}

  static currentEngine(): AgentEngine {
    return AgentInstantiationContext.scope('currentEngine').engine;
  }

  static currentAgentId(): AgentId {
    return AgentInstantiationContext.scope('currentAgentId').agentId;
  }

  /** `true` while an engine is running an agent builder. */
  static isInFactoryCall(): boolean {
    return storage.getStore() !== undefined;
  }

  /** Runs `fn` (an agent builder) with `engine` and `agentId` as the instantiation context. */
  static populateContext<R>(engine: AgentEngine, agentId: AgentId, fn: () => R): R {
    return storage.run({ engine, agentId }, fn);
  }

  private static scope(accessor: string): InstantiationScope {
    const scope = storage.getStore();
    if (scope === undefined) {
      throw new OutsideContextError(
        `AgentInstantiationContext.${accessor}() was called outside an agent builder; ` +
          'construct agents through engine.registerAgentBuilder (or bind them with registerAgentInstance)',
      );
    }
    return scope;
  }
}
