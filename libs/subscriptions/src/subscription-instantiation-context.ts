import { AsyncLocalStorage } from 'node:async_hooks';
import { OutsideContextError } from '@agentopera/types';
import type { AgentType } from '@agentopera/types';

const storage = new AsyncLocalStorage<AgentType>();

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

  /** Runs `fn` (a subscription factory) with `agentType` as the registration in progress. */
  static populateContext<R>(agentType: AgentType, fn: () => R): R {
    return storage.run(agentType, fn);
  }
}
