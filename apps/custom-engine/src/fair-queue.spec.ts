import { QueueFullError } from '@agentopera/queue';
import { describeMessageQueueConformance } from '@agentopera/queue/testing';
import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';

// Three lanes: the order is round-robin, not global FIFO, so the kit compares items as a set.
describeMessageQueueConformance('FairQueue (3 lanes)', (maxsize) => new FairQueue<number>((n) => String(n % 3), maxsize), {
  fifo: false,
});
// With a single lane the fair queue must be exactly FIFO.
describeMessageQueueConformance('FairQueue (1 lane)', (maxsize) => new FairQueue<number>(() => 'only', maxsize));

interface Item {
  lane: string;
  n: number;
}
const item = (lane: string, n: number): Item => ({ lane, n });
const drain = (queue: FairQueue<Item>): string[] => {
  const out: string[] = [];
  while (!queue.empty()) {
    const next = queue.getNowait();
    out.push(`${next.lane}${next.n}`);
  }
  return out;
};

describe('FairQueue', () => {
  it('serves lanes in turn, keeping each lane in order', () => {
    const queue = new FairQueue<Item>((i) => i.lane);
    for (let n = 1; n <= 4; n++) queue.putNowait(item('a', n));
    queue.putNowait(item('b', 1));
    queue.putNowait(item('c', 1));
    queue.putNowait(item('b', 2));
    expect(drain(queue)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  });

  it('puts a lane that comes back after emptying behind the lanes already waiting', () => {
    const queue = new FairQueue<Item>((i) => i.lane);
    queue.putNowait(item('a', 1));
    queue.putNowait(item('b', 1));
    queue.putNowait(item('b', 2));
    expect(queue.getNowait()).toEqual(item('a', 1));
    queue.putNowait(item('a', 2));
    expect(drain(queue)).toEqual(['b1', 'a2', 'b2']);
  });

  it('serves a one-item lane within one round however long another lane is', () => {
    const queue = new FairQueue<Item>((i) => i.lane);
    for (let n = 0; n < 10_000; n++) queue.putNowait(item('chatty', n));
    queue.putNowait(item('quiet', 0));
    expect(drain(queue).indexOf('quiet0')).toBe(1);
  });

  it('bounds the total over all lanes (backpressure)', async () => {
    const queue = new FairQueue<Item>((i) => i.lane, 2);
    queue.putNowait(item('a', 1));
    queue.putNowait(item('b', 1));
    expect(queue.full()).toBe(true);
    expect(() => queue.putNowait(item('c', 1))).toThrow(QueueFullError);
    const waiting = queue.put(item('c', 1));
    expect(queue.getNowait()).toEqual(item('a', 1));
    await waiting;
    expect(drain(queue)).toEqual(['b1', 'c1']);
  });

  it('keeps O(1) operations: a million items through many lanes finish quickly', () => {
    const queue = new FairQueue<number>((n) => String(n % 1000));
    const started = performance.now();
    for (let n = 0; n < 1_000_000; n++) queue.putNowait(n);
    let sum = 0;
    while (!queue.empty()) sum += queue.getNowait();
    expect(sum).toBe((999_999 * 1_000_000) / 2);
    // Generous: an O(n) pop (array shift, lane scan) takes minutes here, O(1) well under a second.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
