import type { AgentEngine, AgentType } from '@agentopera/types';
import { TypePrefixSubscription } from '@agentopera/subscriptions';
import { classSubscriptionFactories } from './subscription-decorators.js';
import { instantiateSubscriptions } from './subscription-factory.js';

interface SubscriptionOptions {
  skipClassSubscriptions?: boolean;
  skipDirectMessageSubscription?: boolean;
}

/** Adds `cls`'s decorator subscriptions and the direct-message subscription for `agentType`. */
export async function registerSubscriptions(
  engine: AgentEngine,
  agentType: AgentType,
  cls: object,
  options: SubscriptionOptions,
): Promise<void> {
  if (!options.skipClassSubscriptions) {
    for (const subscription of await instantiateSubscriptions(agentType, classSubscriptionFactories(cls))) {
      await engine.subscribe(subscription);
    }
  }
  if (!options.skipDirectMessageSubscription) {
    // The ":" keeps the prefix of type "a" from matching the direct channels of type "ab".
    await engine.subscribe(new TypePrefixSubscription(`${agentType.type}:`, agentType.type));
  }
}

// Types whose subscriptions `registerInstance` already added, per engine: every instance of a type
// shares them, and engines reject duplicate subscriptions.
const subscribedTypes = new WeakMap<AgentEngine, Set<string>>();

/** Like `registerSubscriptions`, but each part only once per engine and agent type. */
export async function registerSubscriptionsOnce(
  engine: AgentEngine,
  agentType: AgentType,
  cls: object,
  options: SubscriptionOptions,
): Promise<void> {
  let done = subscribedTypes.get(engine);
  if (done === undefined) subscribedTypes.set(engine, (done = new Set()));
  const classKey = `class:${agentType.type}`;
  const directKey = `direct:${agentType.type}`;
  const claimed: string[] = [];
  // Claimed before the first await, so concurrent registrations of one type cannot both add.
  for (const [key, skip] of [
    [classKey, options.skipClassSubscriptions],
    [directKey, options.skipDirectMessageSubscription],
  ] as const) {
    if (!skip && !done.has(key)) {
      done.add(key);
      claimed.push(key);
    }
  }
  try {
    await registerSubscriptions(engine, agentType, cls, {
      skipClassSubscriptions: !claimed.includes(classKey),
      skipDirectMessageSubscription: !claimed.includes(directKey),
    });
  } catch (error) {
    for (const key of claimed) done.delete(key);
    throw error;
  }
}
