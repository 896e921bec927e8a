export { TypeSubscription } from './type-subscription.js';
export { TypePrefixSubscription } from './type-prefix-subscription.js';
export { DefaultSubscription } from './default-subscription.js';
export { SubscriptionInstantiationContext } from './subscription-instantiation-context.js';
export { DefaultSubscriptionManager, type SubscriptionManagerOptions } from './default-subscription-manager.js';
export { DuplicateSubscriptionError, SubscriptionMismatchError, UnknownSubscriptionError } from './errors.js';
export { SubscriptionManager } from './subscription-manager.js';
export {
  SYNCHRONOUS_RECIPIENTS,
  synchronousRecipients,
  type SynchronousRecipients,
  type SynchronouslyQueriedSubscriptionManager,
} from './synchronous-recipients.js';
