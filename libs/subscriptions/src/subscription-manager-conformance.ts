import { AgentId, MessageChannel } from '@agentopera/types';
import type { Subscription } from '@agentopera/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { DuplicateSubscriptionError, UnknownSubscriptionError } from './errors.js';
import type { SubscriptionManager } from './subscription-manager.js';
import { TypePrefixSubscription } from './type-prefix-subscription.js';
import { TypeSubscription } from './type-subscription.js';

/** A subscription without index hints: it matches channels whose source starts with `sourcePrefix`. */
class SourceSubscription implements Subscription {
  constructor(
    readonly id: string,
    private readonly sourcePrefix: string,
    private readonly agentType: string,
  ) {}

  isMatch(channel: MessageChannel): boolean {
    return channel.source.startsWith(this.sourcePrefix);
  }

  mapToAgent(channel: MessageChannel): AgentId {
    return new AgentId(this.agentType, channel.source);
  }

  equals(other: Subscription): boolean {
    return other.id === this.id;
  }
}

/**
 * Registers Vitest tests for the `SubscriptionManager` contract against managers made by
 * `makeManager`, one fresh manager per test. Lookups are repeated around every change so that an
 * implementation that caches must also invalidate.
 */
export function describeSubscriptionManagerConformance(name: string, makeManager: () => SubscriptionManager): void {
  describe(`${name} conforms to SubscriptionManager`, () => {
    let manager: SubscriptionManager;
    const recipients = async (type: string, source = 's'): Promise<string[]> =>
      (await manager.getSubscribedRecipients(new MessageChannel(type, source))).map(String);

    beforeEach(() => {
      manager = makeManager();
    });

    it('maps a matching channel to the agent keyed by the channel source', async () => {
      await manager.subscribe(new TypeSubscription('t', 'agent'));
      expect(await recipients('t', 'one')).toEqual(['agent/one']);
      expect(await recipients('t', 'two/with/slashes')).toEqual(['agent/two/with/slashes']);
      expect(await recipients('other', 'one')).toEqual([]);
    });

    it('returns recipients that are AgentId instances', async () => {
      await manager.subscribe(new TypeSubscription('t', 'agent'));
      const [id] = await manager.getSubscribedRecipients(new MessageChannel('t', 'k'));
      expect(id).toBeInstanceOf(AgentId);
      expect(id?.equals(new AgentId('agent', 'k'))).toBe(true);
    });

    it('matches type prefixes, including overlapping ones', async () => {
      await manager.subscribe(new TypePrefixSubscription('a', 'p1'));
      await manager.subscribe(new TypePrefixSubscription('ab', 'p2'));
      await manager.subscribe(new TypePrefixSubscription('abc', 'p3'));
      expect(await recipients('abc')).toEqual(['p1/s', 'p2/s', 'p3/s']);
      expect(await recipients('abd')).toEqual(['p1/s', 'p2/s']);
      expect(await recipients('ab')).toEqual(['p1/s', 'p2/s']);
      expect(await recipients('b')).toEqual([]);
    });

    it('checks subscriptions without index hints on every lookup', async () => {
      await manager.subscribe(new SourceSubscription('generic', 'user-', 'watcher'));
      expect(await recipients('anything', 'user-1')).toEqual(['watcher/user-1']);
      expect(await recipients('else', 'user-2')).toEqual(['watcher/user-2']);
      expect(await recipients('anything', 'bot-1')).toEqual([]);
    });

    it('lists recipients in subscription order across kinds of subscription', async () => {
      await manager.subscribe(new SourceSubscription('generic', 's', 'first'));
      await manager.subscribe(new TypePrefixSubscription('t', 'second'));
      await manager.subscribe(new TypeSubscription('t:x', 'third'));
      await manager.subscribe(new TypePrefixSubscription('t:', 'fourth'));
      expect(await recipients('t:x')).toEqual(['first/s', 'second/s', 'third/s', 'fourth/s']);
    });

    it('delivers once to an agent that several subscriptions map to', async () => {
      await manager.subscribe(new TypeSubscription('t', 'agent'));
      await manager.subscribe(new TypePrefixSubscription('t', 'agent'));
      await manager.subscribe(new TypeSubscription('t', 'other'));
      expect(await recipients('t')).toEqual(['agent/s', 'other/s']);
    });

    it('lists every subscription in subscription order', async () => {
      const a = new TypeSubscription('t', 'a');
      const b = new TypePrefixSubscription('t', 'b');
      const c = new SourceSubscription('c', 's', 'c');
      for (const subscription of [a, b, c]) await manager.subscribe(subscription);
      expect(manager.subscriptions).toEqual([a, b, c]);
      await manager.unsubscribe(b.id);
      expect(manager.subscriptions).toEqual([a, c]);
      await manager.subscribe(b);
      expect(manager.subscriptions).toEqual([a, c, b]);
    });

    it('stops delivering after unsubscribe, even for a channel looked up before', async () => {
      const type = new TypeSubscription('t', 'typed');
      const prefix = new TypePrefixSubscription('t', 'prefixed');
      const generic = new SourceSubscription('generic', 's', 'generic');
      for (const subscription of [type, prefix, generic]) await manager.subscribe(subscription);
      expect(await recipients('t')).toEqual(['typed/s', 'prefixed/s', 'generic/s']);
      await manager.unsubscribe(type.id);
      expect(await recipients('t')).toEqual(['prefixed/s', 'generic/s']);
      await manager.unsubscribe(prefix.id);
      expect(await recipients('t')).toEqual(['generic/s']);
      await manager.unsubscribe(generic.id);
      expect(await recipients('t')).toEqual([]);
    });

    it('delivers to a subscription added after its channel was looked up', async () => {
      expect(await recipients('t')).toEqual([]);
      await manager.subscribe(new TypeSubscription('t', 'typed'));
      expect(await recipients('t')).toEqual(['typed/s']);
      await manager.subscribe(new TypePrefixSubscription('t', 'prefixed'));
      expect(await recipients('t')).toEqual(['typed/s', 'prefixed/s']);
      await manager.subscribe(new SourceSubscription('generic', 's', 'generic'));
      expect(await recipients('t')).toEqual(['typed/s', 'prefixed/s', 'generic/s']);
    });

    it('leaves other channel types alone when a subscription changes', async () => {
      await manager.subscribe(new TypeSubscription('x', 'kept'));
      expect(await recipients('x')).toEqual(['kept/s']);
      const other = new TypeSubscription('y', 'other');
      await manager.subscribe(other);
      await manager.unsubscribe(other.id);
      expect(await recipients('x')).toEqual(['kept/s']);
      expect(await recipients('y')).toEqual([]);
    });

    it('rejects a subscription with an id already held, and changes nothing', async () => {
      const first = new TypeSubscription('t', 'a', 'same-id');
      await manager.subscribe(first);
      expect(await recipients('t')).toEqual(['a/s']);
      const error = await manager.subscribe(new TypeSubscription('u', 'b', 'same-id')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateSubscriptionError);
      expect(String(error)).toContain('same-id');
      expect(manager.subscriptions).toEqual([first]);
      expect(await recipients('u')).toEqual([]);
      expect(await recipients('t')).toEqual(['a/s']);
    });

    it('rejects a subscription of the same kind, topic and agent type, and changes nothing', async () => {
      const first = new TypeSubscription('t', 'a');
      const prefix = new TypePrefixSubscription('t', 'a');
      await manager.subscribe(first);
      await manager.subscribe(prefix);
      await expect(manager.subscribe(new TypeSubscription('t', 'a'))).rejects.toBeInstanceOf(DuplicateSubscriptionError);
      await expect(manager.subscribe(new TypePrefixSubscription('t', 'a'))).rejects.toBeInstanceOf(
        DuplicateSubscriptionError,
      );
      expect(manager.subscriptions).toEqual([first, prefix]);
      await manager.unsubscribe(first.id);
      await manager.subscribe(new TypeSubscription('t', 'a'));
      expect(manager.subscriptions).toHaveLength(2);
    });

    it('rejects unsubscribing an unknown id, and changes nothing', async () => {
      const subscription = new TypeSubscription('t', 'a');
      await manager.subscribe(subscription);
      const error = await manager.unsubscribe('no-such-id').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownSubscriptionError);
      expect(String(error)).toContain('no-such-id');
      await manager.unsubscribe(subscription.id);
      await expect(manager.unsubscribe(subscription.id)).rejects.toBeInstanceOf(UnknownSubscriptionError);
      expect(manager.subscriptions).toEqual([]);
    });

    it('does not let a caller that modifies a result change later results', async () => {
      await manager.subscribe(new TypeSubscription('t', 'a'));
      const first = await manager.getSubscribedRecipients(new MessageChannel('t', 's'));
      try {
        (first as AgentId[]).push(new AgentId('intruder', 's'));
      } catch {
        // A frozen result refuses the change; that is one way to conform.
      }
      expect(await recipients('t')).toEqual(['a/s']);
    });
  });
}
