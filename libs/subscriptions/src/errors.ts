import { AgentOperaError, CantHandleError, describeValue } from '@agentopera/types';
import type { MessageChannel, Subscription } from '@agentopera/types';

/** Names a subscription in messages: our classes describe themselves, others by class and id. */
export function describeSubscription(subscription: Subscription): string {
  if (typeof subscription.toString === 'function' && subscription.toString !== Object.prototype.toString) {
    return String(subscription);
  }
  return `${describeValue(subscription)} (id ${describeValue(subscription.id)})`;
}

/** `subscribe` was given a subscription equal to one already held (same id, or same mapping). */
export class DuplicateSubscriptionError extends AgentOperaError {
  override readonly name: string = 'DuplicateSubscriptionError';
  override readonly code: string = 'DUPLICATE_SUBSCRIPTION';
  readonly subscription: Subscription;
  readonly existing: Subscription;

  constructor(subscription: Subscription, existing: Subscription) {
    super(
      `Subscription ${describeValue(subscription.id)} (${describeSubscription(subscription)}) duplicates ` +
        `existing subscription ${describeValue(existing.id)} (${describeSubscription(existing)})`,
    );
    this.subscription = subscription;
    this.existing = existing;
  }
}

/** `unsubscribe` was given an id that no current subscription has. */
export class UnknownSubscriptionError extends AgentOperaError {
  override readonly name: string = 'UnknownSubscriptionError';
  override readonly code: string = 'UNKNOWN_SUBSCRIPTION';
  readonly subscriptionId: string;

  constructor(subscriptionId: string) {
    super(`No subscription with id ${describeValue(subscriptionId)} is registered`);
    this.subscriptionId = subscriptionId;
  }
}

/**
 * `mapToAgent` was called with a channel the subscription does not match. A `CantHandleError`,
 * as autogen's `CantHandleException` is for this case.
 */
export class SubscriptionMismatchError extends CantHandleError {
  override readonly name: string = 'SubscriptionMismatchError';
  override readonly code: string = 'SUBSCRIPTION_MISMATCH';
  readonly channel: MessageChannel;

  constructor(subscription: Subscription, channel: MessageChannel) {
    super(`${describeSubscription(subscription)} does not match channel ${describeValue(String(channel))}`);
    this.channel = channel;
  }
}
