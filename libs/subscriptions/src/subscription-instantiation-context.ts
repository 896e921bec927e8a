import { AsyncLocalStorage } from 'node:async_hooks';
import { OutsideContextError } from '@agentopera/types';
import type { AgentType } from '@agentopera/types';

const storage = new AsyncLocalStorage<AgentType>();

// Before Node 24, AsyncLocalStorage works by promise hooks: an enabled storage adds work to every
// promise the process creates, for good. Registrations are rare, so the storage is disabled again
// whenever none is in progress (the next `populateContext` enables it again).
const DISABLE_WHEN_IDLE = Number(process.versions.node.split('.')[0]) < 24;
let inProgress = 0;

function leave(): void {
  if (--inProgress === 0 && DISABLE_WHEN_IDLE) storage.disable();
}

/**
 * The agent type whose subscriptions are being built. Registration code (e.g. `BaseAgent.register`)
 * runs its subscription factory inside `populateContext`, so `DefaultSubscription` can be created
 * without naming the agent type again.
 */
export class SubscriptionInstantiationContext {
  private constructor() {}

  /** The agent type being registered; throws `OutsideContextError` outside a registration. */
  static agentType(): AgentType {
    const agentType = storage.getStore();
    if (agentType === undefined) {
      throw new OutsideContextError(
        'SubscriptionInstantiationContext.agentType() was called outside a registration; ' +
          "it is only available inside an agent's subscription factory",
      );
    }
    return agentType;
  }

  /** Like `agentType()`, but returns `undefined` outside a registration. */
  static tryAgentType(): AgentType | undefined {
    return storage.getStore();
  }

  /**
   * Runs `fn` (a subscription factory) with `agentType` as the registration in progress. The
   * context lasts until `fn` returns, or until the promise it returns settles: a factory that goes
   * on asynchronously must return that promise (on Node < 24 the storage is switched off once no
   * registration is in progress, which ends the context of anything still running).
   */
  static populateContext<R>(agentType: AgentType, fn: () => R): R {
    inProgress++;
    let result: R;
    try {
      result = storage.run(agentType, fn);
    } catch (error) {
      leave();
      throw error;
    }
    // An async factory keeps the context until it settles.
    if (result instanceof Promise) result.then(leave, leave);
    else leave();
    return result;
  }
}
