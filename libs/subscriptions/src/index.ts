import { DefaultSubscriptionManager } from './default-subscription-manager.js';
import type { SubscriptionManager as SubscriptionManagerContract } from './subscription-manager.js';

export { TypeSubscription } from './type-subscription.js';
export { TypePrefixSubscription } from './type-prefix-subscription.js';
export { DefaultSubscription } from './default-subscription.js';
export { SubscriptionInstantiationContext } from './subscription-instantiation-context.js';
export { DefaultSubscriptionManager, type SubscriptionManagerOptions } from './default-subscription-manager.js';
export { DuplicateSubscriptionError, SubscriptionMismatchError, UnknownSubscriptionError } from './errors.js';

/** The subscription manager contract (type) and its default implementation (value), as in the seed. */
export type SubscriptionManager = SubscriptionManagerContract;
export const SubscriptionManager = DefaultSubscriptionManager;
