import type { Subscription } from '@agentopera/types';

// Structural identity of our own subscriptions ("hint/topic/agentType"), kept off the public
// surface. Neither topic types nor agent types can contain '/', so the key is unambiguous.
const mappingKeys = new WeakMap<Subscription, string>();

/** Records what `subscription` maps: its kind of topic hint, the topic, and the agent type. */
export function setMappingKey(subscription: Subscription, hint: string, topic: string, agentType: string): void {
  mappingKeys.set(subscription, `${hint}/${topic}/${agentType}`);
}

/**
 * The mapping key of one of our subscriptions, `undefined` for any other implementation. Two of
 * ours with the same key are equal, so managers can detect duplicates without scanning.
 */
export function mappingKeyOf(subscription: Subscription): string | undefined {
  return mappingKeys.get(subscription);
}
