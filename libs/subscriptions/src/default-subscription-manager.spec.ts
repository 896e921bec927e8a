import { AgentId, MessageChannel } from '@agentopera/types';
import type { Subscription } from '@agentopera/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { DefaultSubscriptionManager } from './default-subscription-manager.js';
import { synchronousRecipients } from './synchronous-recipients.js';
import { DuplicateSubscriptionError } from './errors.js';
import { describeSubscriptionManagerConformance } from './subscription-manager-conformance.js';
import { CallCounter, CountingSubscription } from './test-utils/counting-subscription.js';
import { TypePrefixSubscription } from './type-prefix-subscription.js';
import { TypeSubscription } from './type-subscription.js';

describeSubscriptionManagerConformance('DefaultSubscriptionManager', () => new DefaultSubscriptionManager());
// Tiny caches put eviction and invalidation on every path the contract exercises.
for (const cacheSize of [0, 1]) {
  describeSubscriptionManagerConformance(
    `DefaultSubscriptionManager with cacheSize ${cacheSize}`,
    () => new DefaultSubscriptionManager({ cacheSize }),
  );
}

const channel = (type: string, source = 's'): MessageChannel => new MessageChannel(type, source);

describe('DefaultSubscriptionManager', () => {
  let counter: CallCounter;

  beforeEach(() => {
    counter = new CallCounter();
  });

  describe('lookup', () => {
    it('is offered synchronously too (engines deliver a publish without a promise), with the same answers and errors', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe(new TypeSubscription('t', 'a'));
      await manager.subscribe(new TypePrefixSubscription('t', 'b'));
      const lookUp = synchronousRecipients(manager);
      if (lookUp === undefined) throw new Error('no synchronous lookup');
      expect(lookUp(channel('t', 'x'))).toEqual(await manager.getSubscribedRecipients(channel('t', 'x')));
      expect(lookUp(channel('t', 'x')).map(String)).toEqual(['a/x', 'b/x']);
      expect(() => lookUp({ type: 1 } as unknown as MessageChannel)).toThrow(TypeError);
    });

    it('visits only the bucket of the channel type among 100k topic types', async () => {
      const manager = new DefaultSubscriptionManager();
      for (let i = 0; i < 100_000; i++) {
        await manager.subscribe(new CountingSubscription(counter, new TypeSubscription(`topic-${i}`, 'agent')));
      }
      counter.reset();
      const recipients = await manager.getSubscribedRecipients(channel('topic-77777', 'k'));
      expect(recipients.map(String)).toEqual(['agent/k']);
      expect(counter).toMatchObject({ isMatch: 1, mapToAgent: 1 });
    });

    it('probes only subscribed prefixes, not unrelated ones', async () => {
      const manager = new DefaultSubscriptionManager();
      for (let i = 0; i < 1_000; i++) {
        await manager.subscribe(new CountingSubscription(counter, new TypePrefixSubscription(`p${i}:`, 'agent')));
      }
      counter.reset();
      expect((await manager.getSubscribedRecipients(channel('p42:x'))).map(String)).toEqual(['agent/s']);
      expect(counter.isMatch).toBe(1);
    });

    it('still asks a hinted subscription whether it matches', async () => {
      const manager = new DefaultSubscriptionManager();
      const picky: Subscription = {
        id: 'picky',
        topicType: 't',
        isMatch: (c) => c.type === 't' && c.source === 'wanted',
        mapToAgent: (c) => new AgentId('picky', c.source),
        equals: (other) => other.id === 'picky',
      };
      await manager.subscribe(picky);
      expect(await manager.getSubscribedRecipients(channel('t', 'wanted'))).toHaveLength(1);
      expect(await manager.getSubscribedRecipients(channel('t', 'other'))).toHaveLength(0);
    });

    it('files a subscription with both hints under its exact type', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe({
        id: 'both',
        topicType: 'ab',
        topicTypePrefix: 'a',
        isMatch: () => true,
        mapToAgent: (c) => new AgentId('a', c.source),
        equals: () => false,
      });
      expect(await manager.getSubscribedRecipients(channel('abc'))).toHaveLength(0);
      expect(await manager.getSubscribedRecipients(channel('ab'))).toHaveLength(1);
    });

    it('returns a frozen array, the same one on a cache hit', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe(new TypeSubscription('t', 'a'));
      const first = await manager.getSubscribedRecipients(channel('t'));
      expect(Object.isFrozen(first)).toBe(true);
      expect(await manager.getSubscribedRecipients(channel('t'))).toBe(first);
      expect(Object.isFrozen(await manager.getSubscribedRecipients(channel('none')))).toBe(true);
    });

    it('rejects something that is not a channel with a TypeError', async () => {
      const manager = new DefaultSubscriptionManager();
      await expect(manager.getSubscribedRecipients(null as unknown as MessageChannel)).rejects.toThrow(TypeError);
      const halfChannel = { type: 't' } as MessageChannel;
      await expect(manager.getSubscribedRecipients(halfChannel)).rejects.toThrow(/Invalid message channel/);
    });

    it('rejects with the error of a failing subscription and caches nothing', async () => {
      const manager = new DefaultSubscriptionManager();
      let fail = true;
      await manager.subscribe({
        id: 'flaky',
        topicType: 't',
        isMatch: () => {
          if (fail) throw new Error('flaky isMatch');
          return true;
        },
        mapToAgent: (c) => new AgentId('flaky', c.source),
        equals: () => false,
      });
      await expect(manager.getSubscribedRecipients(channel('t'))).rejects.toThrow('flaky isMatch');
      fail = false;
      expect((await manager.getSubscribedRecipients(channel('t'))).map(String)).toEqual(['flaky/s']);
    });
  });

  describe('cache', () => {
    it('serves a repeated lookup without asking subscriptions again', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe(new CountingSubscription(counter, new TypeSubscription('t', 'a')));
      await manager.getSubscribedRecipients(channel('t'));
      await manager.getSubscribedRecipients(channel('t'));
      expect(counter).toMatchObject({ isMatch: 1, mapToAgent: 1 });
      expect(manager.cachedChannelCount).toBe(1);
    });

    it('keeps at most cacheSize channels, evicting the least recently used', async () => {
      const manager = new DefaultSubscriptionManager({ cacheSize: 2 });
      expect(manager.cacheSize).toBe(2);
      await manager.subscribe(new CountingSubscription(counter, new TypePrefixSubscription('t', 'a')));
      const lookup = async (type: string): Promise<number> => {
        counter.reset();
        await manager.getSubscribedRecipients(channel(type));
        return counter.isMatch;
      };
      expect(await lookup('t1')).toBe(1);
      expect(await lookup('t2')).toBe(1);
      expect(await lookup('t1')).toBe(0);
      expect(await lookup('t3')).toBe(1); // evicts t2, the least recently used
      expect(manager.cachedChannelCount).toBe(2);
      expect(await lookup('t1')).toBe(0);
      expect(await lookup('t2')).toBe(1);
    });

    it('caches nothing with cacheSize 0', async () => {
      const manager = new DefaultSubscriptionManager({ cacheSize: 0 });
      await manager.subscribe(new CountingSubscription(counter, new TypeSubscription('t', 'a')));
      await manager.getSubscribedRecipients(channel('t'));
      await manager.getSubscribedRecipients(channel('t'));
      expect(counter.isMatch).toBe(2);
      expect(manager.cachedChannelCount).toBe(0);
    });

    it('keys channels by type and source without ambiguity', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe(new TypeSubscription('a', 'x'));
      await manager.subscribe(new TypeSubscription('a:b', 'y'));
      expect((await manager.getSubscribedRecipients(channel('a', 'b/c'))).map(String)).toEqual(['x/b/c']);
      expect((await manager.getSubscribedRecipients(channel('a:b', 'c'))).map(String)).toEqual(['y/c']);
    });

    it('drops only the changed topic type when a type subscription changes', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe(new CountingSubscription(counter, new TypeSubscription('x', 'a')));
      await manager.getSubscribedRecipients(channel('x'));
      await manager.getSubscribedRecipients(channel('y'));
      const other = new TypeSubscription('y', 'b');
      await manager.subscribe(other);
      await manager.unsubscribe(other.id);
      counter.reset();
      await manager.getSubscribedRecipients(channel('x'));
      expect(counter.isMatch).toBe(0);
      expect(manager.cachedChannelCount).toBe(1);
    });

    it('drops every channel when a prefix subscription changes', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.getSubscribedRecipients(channel('x'));
      await manager.getSubscribedRecipients(channel('y'));
      await manager.subscribe(new CountingSubscription(counter, new TypePrefixSubscription('z', 'a')));
      expect(manager.cachedChannelCount).toBe(0);
    });
  });

  describe('subscribe', () => {
    it('rejects what is not a subscription with a TypeError, and changes nothing', async () => {
      const manager = new DefaultSubscriptionManager();
      const bad: unknown[] = [
        null,
        'sub',
        {},
        { id: 'x', isMatch: () => true },
        { id: '', isMatch: () => true, mapToAgent: () => new AgentId('a', 'k') },
        { id: 'x', isMatch: () => true, mapToAgent: () => new AgentId('a', 'k'), topicType: 5 },
      ];
      for (const value of bad) {
        await expect(manager.subscribe(value as Subscription)).rejects.toThrow(TypeError);
      }
      await expect(manager.subscribe(bad[5] as Subscription)).rejects.toThrow(/Invalid topicType 5 of subscription "x"/);
      expect(manager.subscriptions).toEqual([]);
    });

    it('names both subscriptions in a duplicate error', async () => {
      const manager = new DefaultSubscriptionManager();
      await manager.subscribe(new TypeSubscription('t', 'a', 'first'));
      const error = await manager.subscribe(new TypeSubscription('t', 'a', 'second')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateSubscriptionError);
      expect((error as Error).message).toBe(
        'Subscription "second" (TypeSubscription(topicType="t", agentType="a", id="second")) duplicates existing ' +
          'subscription "first" (TypeSubscription(topicType="t", agentType="a", id="first"))',
      );
    });

    it("asks another implementation's equals about subscriptions under the same hint", async () => {
      const manager = new DefaultSubscriptionManager();
      const make = (id: string): Subscription => ({
        id,
        topicType: 't',
        isMatch: () => true,
        mapToAgent: (c) => new AgentId('a', c.source),
        equals: (other) => other.topicType === 't',
      });
      await manager.subscribe(make('one'));
      const error = await manager.subscribe(make('two')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateSubscriptionError);
      expect((error as Error).message).toMatch(/^Subscription "two" .* duplicates existing subscription "one"/);
      expect(manager.subscriptions.map((s) => s.id)).toEqual(['one']);
    });

    it('gives a frozen list of subscriptions that follows changes', async () => {
      const manager = new DefaultSubscriptionManager();
      const first = manager.subscriptions;
      expect(Object.isFrozen(first)).toBe(true);
      await manager.subscribe(new TypeSubscription('t', 'a'));
      expect(first).toEqual([]);
      expect(manager.subscriptions).toHaveLength(1);
    });

    it('rejects an invalid cacheSize', () => {
      expect(() => new DefaultSubscriptionManager({ cacheSize: -1 })).toThrow(/Invalid cacheSize -1/);
      expect(() => new DefaultSubscriptionManager({ cacheSize: 1.5 })).toThrow(TypeError);
    });
  });
});
