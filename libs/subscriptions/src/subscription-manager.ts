import type { AgentId, MessageChannel, Subscription } from '@agentopera/types';
import { DefaultSubscriptionManager } from './default-subscription-manager.js';

/**
 * Holds an engine's subscriptions and maps a channel to the agents that receive it. The package exports a
 * same-named value, the default implementation, so `new SubscriptionManager()` works. A manager
 * that answers without I/O may also offer `SynchronousRecipients`.
 */
export interface SubscriptionManager {
  /** Adds a subscription; rejects with `DuplicateSubscriptionError` if an equal one exists. */
  subscribe(subscription: Subscription): Promise<void>;
  /** Removes the subscription with this id; rejects with `UnknownSubscriptionError` if none. */
  unsubscribe(id: string): Promise<void>;
  /**
   * The distinct agents that subscriptions map `channel` to (each once, in subscription order).
   * Must not scan subscriptions of unrelated topic types.
   */
  getSubscribedRecipients(channel: MessageChannel): Promise<readonly AgentId[]>;
  /** Every current subscription, in subscription order. */
  readonly subscriptions: readonly Subscription[];
}

/** The default manager under the interface's name, so `new SubscriptionManager()` works as in the seed. */
export const SubscriptionManager = DefaultSubscriptionManager;
