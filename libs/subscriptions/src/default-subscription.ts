import { OutsideContextError } from '@agentopera/types';
import type { AgentType } from '@agentopera/types';
import { SubscriptionInstantiationContext } from './subscription-instantiation-context.js';
import { TypeSubscription } from './type-subscription.js';

/**
 * A `TypeSubscription` for the `"default"` topic (or `topicType`) whose agent type, when omitted,
 * is the one being registered, so `@defaultSubscription()` needs no arguments.
 */
export class DefaultSubscription extends TypeSubscription {
  constructor(topicType = 'default', agentType?: string | AgentType) {
    super(topicType, agentType ?? DefaultSubscription.registeringAgentType());
  }

  private static registeringAgentType(): AgentType {
    const agentType = SubscriptionInstantiationContext.tryAgentType();
    if (agentType === undefined) {
      throw new OutsideContextError(
        "DefaultSubscription needs an agent type: pass one, or create it inside BaseAgent.register's subscription factory",
      );
    }
    return agentType;
  }
}
