import { describe, expect, it } from 'vitest';
import { PriorityAsyncQueue } from './index.js';
import { describeMessageQueueConformance } from './testing.js';

const ascending = (a: number, b: number): number => a - b;

describeMessageQueueConformance('PriorityAsyncQueue', (maxsize) => new PriorityAsyncQueue<number>(ascending, maxsize));

interface Job {
  priority: number;
  id: number;
}
const byPriority = (a: Job, b: Job): number => a.priority - b.priority;

describe('PriorityAsyncQueue', () => {
  it('is async iterable, in priority order, until shut down', async () => {
    const queue = new PriorityAsyncQueue<number>(ascending);
    for (const n of [3, 1, 2]) queue.putNowait(n);
    queue.shutdown();
    const received: number[] = [];
    for await (const item of queue) received.push(item);
    expect(received).toEqual([1, 2, 3]);
  });

  it('returns the smallest item first', async () => {
    const queue = new PriorityAsyncQueue<number>(ascending);
    for (const n of [5, 1, 4, 2, 3]) await queue.put(n);
    const received: number[] = [];
    while (!queue.empty()) received.push(await queue.get());
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });

  it('returns items that compare equal in the order they were put', () => {
    const queue = new PriorityAsyncQueue<Job>(byPriority);
    const jobs = [2, 1, 2, 1, 0, 2, 1].map((priority, id) => ({ priority, id }));
    jobs.forEach((job) => queue.putNowait(job));
    const ids: number[] = [];
    while (!queue.empty()) ids.push(queue.getNowait().id);
    expect(ids).toEqual([4, 1, 3, 6, 0, 2, 5]);
  });

  it('orders a waiting putter’s item among the rest once its slot frees', async () => {
    const queue = new PriorityAsyncQueue<number>(ascending, 2);
    queue.putNowait(5);
    queue.putNowait(6);
    const waiting = queue.put(1);
    expect(queue.getNowait()).toBe(5);
    await waiting;
    expect([queue.getNowait(), queue.getNowait()]).toEqual([1, 6]);
  });

  it.each([[undefined, 'got undefined'], ['asc', 'got "asc"'], [null, 'got null']])(
    'rejects compare %s with a TypeError naming it',
    (compare, named) => {
      const make = (): PriorityAsyncQueue<number> => new PriorityAsyncQueue<number>(compare as unknown as typeof ascending);
      expect(make).toThrow(TypeError);
      expect(make).toThrow(named);
    },
  );

  it('validates maxsize like AsyncQueue', () => {
    expect(() => new PriorityAsyncQueue<number>(ascending, 1.5)).toThrow(RangeError);
    expect(new PriorityAsyncQueue<number>(ascending, -2).full()).toBe(false);
  });

  it('moves 200k items with random priorities out in sorted, stable order', async () => {
    const queue = new PriorityAsyncQueue<Job>(byPriority);
    const total = 200_000;
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % 1000;
    const jobs = Array.from({ length: total }, (_, id) => ({ priority: random(), id }));
    for (const job of jobs) queue.putNowait(job);
    const expected = [...jobs].sort((a, b) => a.priority - b.priority || a.id - b.id);
    for (let i = 0; i < total; i++) {
      const job = await queue.get();
      if (job !== expected[i]) throw new Error(`expected job ${expected[i]!.id} at ${i}, got ${job.id}`);
    }
    expect(queue.empty()).toBe(true);
  });
});
