import type { AgentId, MessageChannel } from '@agentopera/types';
import type { SubscriptionManager } from './subscription-manager.js';

/**
 * `getSubscribedRecipients` of a manager that answers without I/O, returning (or throwing)
 * instead of settling a promise. Not part of `SubscriptionManager`; a manager offers it under
 * `SYNCHRONOUS_RECIPIENTS`, and an engine that finds it delivers a publish in the same job it
 * dispatches it, as it does a send: handlers start in queue order without a promise per publish.
 */
export type SynchronousRecipients = (channel: MessageChannel) => readonly AgentId[];

/** The key under which a manager offers its `SynchronousRecipients`. */
export const SYNCHRONOUS_RECIPIENTS: unique symbol = Symbol('agentopera.subscriptions.synchronousRecipients');

/** A manager with a synchronous lookup. */
export interface SynchronouslyQueriedSubscriptionManager extends SubscriptionManager {
  readonly [SYNCHRONOUS_RECIPIENTS]: SynchronousRecipients;
}

/** The manager's synchronous lookup, if it offers one. */
export function synchronousRecipients(manager: SubscriptionManager): SynchronousRecipients | undefined {
  return (manager as Partial<SynchronouslyQueriedSubscriptionManager>)[SYNCHRONOUS_RECIPIENTS];
}
