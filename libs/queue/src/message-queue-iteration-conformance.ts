import { describe, expect, it } from 'vitest';
import { consume, iterable, iteratorOf, observe, putAll, settle } from './conformance-support.js';
import type { MessageQueue } from './message-queue.js';

/** The `for await` part of the queue conformance kit, run only on queues that can be iterated. */
export function describeIterationConformance(
  makeQueue: (maxsize: number) => MessageQueue<number>,
  expectOrder: (received: readonly number[], put: readonly number[]) => void,
): void {
  const iterates = typeof makeQueue(0)[Symbol.asyncIterator] === 'function';
  describe.skipIf(!iterates)('for await', () => {
    it('yields items as they are put, and ends at shutdown() once drained', async () => {
      const queue = makeQueue(0);
      putAll(queue, [1, 2]);
      const received: number[] = [];
      const loop = observe(consume(queue, received));
      await settle();
      expectOrder(received, [1, 2]);
      expect(loop.state).toBe('pending');
      queue.putNowait(3);
      await settle();
      expectOrder(received, [1, 2, 3]);
      putAll(queue, [4, 5]);
      queue.shutdown();
      await settle();
      expect(loop.state).toBe('fulfilled');
      expectOrder(received, [1, 2, 3, 4, 5]);
      await expect(queue.join()).resolves.toBeUndefined();
    });

    it('ends a waiting loop at shutdown(true)', async () => {
      const queue = makeQueue(0);
      const received: number[] = [];
      const loop = observe(consume(queue, received));
      await settle();
      queue.shutdown(true);
      await settle();
      expect([loop.state, received]).toEqual(['fulfilled', []]);
    });

    it('ends after shutdown(true) without the items it dropped', async () => {
      const queue = makeQueue(0);
      putAll(queue, [1, 2, 3]);
      const iterator = iteratorOf(queue);
      const first = await iterator.next();
      queue.shutdown(true);
      expect(first.done).toBe(false);
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it('takes nothing more when the loop is left early', async () => {
      const queue = makeQueue(0);
      putAll(queue, [1, 2, 3]);
      for await (const _item of iterable(queue)) break;
      expect(queue.qsize()).toBe(2);
    });

    it('gives each item to one of several loops', async () => {
      const queue = makeQueue(2);
      const first: number[] = [];
      const second: number[] = [];
      const loops = [consume(queue, first), consume(queue, second)];
      for (let item = 0; item < 20; item++) await queue.put(item);
      queue.shutdown();
      await Promise.all(loops);
      expectOrder([...first, ...second].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBeGreaterThan(0);
    });
  });
}
