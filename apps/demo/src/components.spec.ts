import { AgentId, MessageChannel, PublishMessageEnvelope, SendMessageEnvelope, type MessageEnvelope } from '@agentopera/core';
import { describe, expect, it } from 'vitest';
import { splitIntoShards } from './coordinator.js';
import { createQueueFactory, envelopeRank } from './components.js';

const send = (): MessageEnvelope =>
  new SendMessageEnvelope('rpc', null, new AgentId('aggregator', 'pipeline'), () => undefined, () => undefined, undefined, undefined, undefined);
const publish = (type: string): MessageEnvelope => new PublishMessageEnvelope(type, null, new MessageChannel(type, 'k'), undefined, undefined, undefined);

describe('queue choices', () => {
  it('priority: RPCs first, then results, then shard assignments, FIFO among equals', async () => {
    const queue = createQueueFactory({ kind: 'priority' })();
    const items = [publish('shard'), publish('results'), send(), publish('shard'), publish('results')];
    for (const item of items) queue.putNowait(item);
    const order: MessageEnvelope[] = [];
    while (!queue.empty()) order.push(await queue.get());
    expect(order).toEqual([items[2], items[1], items[4], items[0], items[3]]);
    expect(order.map(envelopeRank)).toEqual([0, 1, 1, 2, 2]);
  });

  it('bounded:N holds at most N messages', () => {
    const queue = createQueueFactory({ kind: 'bounded', size: 2 })();
    queue.putNowait(publish('shard'));
    queue.putNowait(publish('shard'));
    expect(queue.full()).toBe(true);
    expect(() => queue.putNowait(publish('shard'))).toThrow();
  });

  it('every choice is a factory of fresh queues, so the engine can restart after stop()', () => {
    for (const choice of [{ kind: 'fifo' }, { kind: 'priority' }, { kind: 'bounded', size: 1 }] as const) {
      const factory = createQueueFactory(choice);
      expect(factory()).not.toBe(factory());
    }
  });
});

describe('splitIntoShards', () => {
  it('keeps order and puts at most shardSize files in each shard', () => {
    expect(splitIntoShards(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(splitIntoShards([], 3)).toEqual([]);
    expect(() => splitIntoShards(['a'], 0)).toThrow(/positive integer, got 0/);
  });
});
