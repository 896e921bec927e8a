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
  // The callback returns a promise, so the registration context lasts until every factory has
  // settled: a factory that awaits before `new DefaultSubscription()` still finds its agent type
  // (the context storage is switched off between registrations on Node < 24).
  const lists = await SubscriptionInstantiationContext.populateContext(agentType, () =>
    Promise.all(factories.map((factory) => factory())),
  );
  const subscriptions: Subscription[] = [];
  for (const list of lists) subscriptions.push(...list);
  return subscriptions;
}
