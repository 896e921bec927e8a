import type { AgentId, MessageChannel, Subscription } from '@agentopera/types';
import type { TypePrefixSubscription } from '../type-prefix-subscription.js';
import type { TypeSubscription } from '../type-subscription.js';

/** How often a manager asked the subscriptions that share this counter. */
export class CallCounter {
  isMatch = 0;
  mapToAgent = 0;

  reset(): void {
    this.isMatch = 0;
    this.mapToAgent = 0;
  }
}

/** Wraps one of our subscriptions, counting the manager's calls to see which buckets a lookup visits. */
export class CountingSubscription implements Subscription {
  readonly id: string;
  readonly topicType: string | undefined;
  readonly topicTypePrefix: string | undefined;

  constructor(
    private readonly counter: CallCounter,
    private readonly inner: TypeSubscription | TypePrefixSubscription,
  ) {
    this.id = inner.id;
    this.topicType = 'topicType' in inner ? inner.topicType : undefined;
    this.topicTypePrefix = 'topicTypePrefix' in inner ? inner.topicTypePrefix : undefined;
  }

  isMatch(channel: MessageChannel): boolean {
    this.counter.isMatch++;
    return this.inner.isMatch(channel);
  }

  mapToAgent(channel: MessageChannel): AgentId {
    this.counter.mapToAgent++;
    return this.inner.mapToAgent(channel);
  }

  equals(other: Subscription): boolean {
    return other.id === this.id;
  }
}
