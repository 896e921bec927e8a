import type { AgentId } from './agent-id.js';
import type { AgentEngine } from './agent-engine.js';
import { InstantiationFrame, contextStorage, currentHandlerAgentId, currentInstantiationFrame } from './context-storage.js';
import { OutsideContextError } from './message-handler-context.js';

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
    return currentInstantiationFrame() !== undefined;
  }

  /** Runs `fn` (an agent builder) with `engine` and `agentId` as the instantiation context. */
  static populateContext<R>(engine: AgentEngine, agentId: AgentId, fn: () => R): R {
    // The handler scope a builder is entered from stays visible inside it.
    return contextStorage.run(new InstantiationFrame(engine, agentId, currentHandlerAgentId()), fn);
  }

  private static scope(accessor: string): InstantiationFrame {
    const scope = currentInstantiationFrame();
    if (scope === undefined) {
      throw new OutsideContextError(
        `AgentInstantiationContext.${accessor}() was called outside an agent builder; ` +
          'construct agents through engine.registerAgentBuilder (or bind them with registerAgentInstance)',
      );
    }
    return scope;
  }
}
