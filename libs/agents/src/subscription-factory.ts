import type { AgentType, Subscription } from '@agentopera/types';
import { SubscriptionInstantiationContext } from '@agentopera/subscriptions';

/**
 * Builds the subscriptions of an agent type at registration. It runs inside
 * `SubscriptionInstantiationContext`, so `new DefaultSubscription()` learns the registering type.
 */
export type SubscriptionFactory = () => readonly Subscription[] | Promise<readonly Subscription[]>;

/** Runs `factories` for `agentType` and returns their subscriptions, in factory order. */
export async function instantiateSubscriptions(
  agentType: AgentType,
  factories: readonly SubscriptionFactory[],
): Promise<Subscription[]> {
  // Every factory is called synchronously inside the context, so it also works for a context that
  // does not follow `await`; only the results are awaited outside it.
  const results = SubscriptionInstantiationContext.populateContext(agentType, () => factories.map((factory) => factory()));
  const subscriptions: Subscription[] = [];
  for (const result of results) subscriptions.push(...(await result));
  return subscriptions;
}
