import { describe, expect, it } from 'vitest';
import { QueueEmptyError, QueueFullError, QueueShutDownError } from './errors.js';
import { describeIterationConformance } from './message-queue-iteration-conformance.js';
import type { MessageQueue } from './message-queue.js';
import { expectShutDown, observe, putAll, settle, takeAll } from './conformance-support.js';

/** Options of `describeMessageQueueConformance`. */
export interface MessageQueueConformanceOptions {
  /**
   * Whether items come out in the order they were put (default `true`). The kit only ever puts
   * increasing numbers, so a priority queue ordering numbers ascending counts as FIFO here; pass
   * `false` for any other order, and order checks compare the items as a set instead.
   */
  fifo?: boolean;
}

/**
 * Registers Vitest suites checking that `makeQueue(maxsize)` builds a `MessageQueue` with the
 * contract of Python 3.13's `asyncio.Queue`: sizes, waiting `get`/`put`, backpressure, `taskDone`/
 * `join` and both kinds of `shutdown`, and `for await` iteration when the queue offers it. Call
 * it at the top level of a spec file.
 */
export function describeMessageQueueConformance(
  name: string,
  makeQueue: (maxsize: number) => MessageQueue<number>,
  options: MessageQueueConformanceOptions = {},
): void {
  const fifo = options.fifo ?? true;
  const expectOrder = (received: readonly number[], put: readonly number[]): void => {
    if (fifo) expect(received).toEqual(put);
    else expect([...received].sort((a, b) => a - b)).toEqual([...put].sort((a, b) => a - b));
  };

  describe(`${name} conforms to MessageQueue`, () => {
    describe('sizes', () => {
      it('starts empty and not full', () => {
        const queue = makeQueue(3);
        expect([queue.qsize(), queue.empty(), queue.full()]).toEqual([0, true, false]);
      });

      it('is never full when unbounded (maxsize 0)', () => {
        const queue = makeQueue(0);
        putAll(queue, Array.from({ length: 1000 }, (_, i) => i));
        expect([queue.qsize(), queue.empty(), queue.full()]).toEqual([1000, false, false]);
      });

      it('is full at maxsize, and putNowait then throws QueueFullError', () => {
        const queue = makeQueue(2);
        putAll(queue, [1, 2]);
        expect(queue.full()).toBe(true);
        expect(() => queue.putNowait(3)).toThrow(QueueFullError);
        expect(queue.qsize()).toBe(2);
      });
    });

    describe('put and get', () => {
      it('delivers items in order', async () => {
        const queue = makeQueue(0);
        await queue.put(1);
        putAll(queue, [2, 3]);
        await queue.put(4);
        const received = [await queue.get(), queue.getNowait(), await queue.get(), queue.getNowait()];
        expectOrder(received, [1, 2, 3, 4]);
        expect(queue.empty()).toBe(true);
      });

      it('getNowait on an empty queue throws QueueEmptyError', () => {
        expect(() => makeQueue(0).getNowait()).toThrow(QueueEmptyError);
      });

      it('get waits while empty, then receives the next item put', async () => {
        const queue = makeQueue(0);
        const got = observe(queue.get());
        await settle();
        expect(got.state).toBe('pending');
        queue.putNowait(42);
        await settle();
        expect([got.state, got.value, queue.qsize()]).toEqual(['fulfilled', 42, 0]);
      });

      it('serves waiting getters in the order they started waiting', async () => {
        const queue = makeQueue(0);
        const getters = [observe(queue.get()), observe(queue.get()), observe(queue.get())];
        await queue.put(1);
        putAll(queue, [2, 3]);
        await settle();
        expect(getters.map((g) => g.value)).toEqual([1, 2, 3]);
      });
    });

    describe('backpressure', () => {
      it('put waits while full and resumes after a get', async () => {
        const queue = makeQueue(2);
        await queue.put(1);
        await queue.put(2);
        const third = observe(queue.put(3));
        await settle();
        expect([third.state, queue.qsize()]).toEqual(['pending', 2]);
        const first = await queue.get();
        await settle();
        expect([third.state, queue.qsize()]).toEqual(['fulfilled', 2]);
        expectOrder([first, ...takeAll(queue)], [1, 2, 3]);
      });

      it('gives freed slots to waiting putters in the order they started waiting', async () => {
        const queue = makeQueue(1);
        queue.putNowait(1);
        const second = observe(queue.put(2));
        const third = observe(queue.put(3));
        const received = [queue.getNowait()];
        await settle();
        expect([second.state, third.state]).toEqual(['fulfilled', 'pending']);
        received.push(queue.getNowait());
        await settle();
        expect(third.state).toBe('fulfilled');
        received.push(queue.getNowait());
        expectOrder(received, [1, 2, 3]);
      });

      it('keeps a freed slot for the waiting putter rather than a later putNowait', async () => {
        const queue = makeQueue(1);
        queue.putNowait(1);
        const waiting = observe(queue.put(2));
        expect(queue.getNowait()).toBe(1);
        expect(() => queue.putNowait(3)).toThrow(QueueFullError);
        await settle();
        expect([waiting.state, queue.getNowait()]).toEqual(['fulfilled', 2]);
      });

      it('never holds more than maxsize and delivers every item exactly once under concurrency', async () => {
        const maxsize = 3;
        const queue = makeQueue(maxsize);
        let largest = 0;
        const received: number[] = [];
        const produce = async (producer: number): Promise<void> => {
          for (let i = 0; i < 50; i++) {
            await queue.put(producer * 1000 + i);
            largest = Math.max(largest, queue.qsize());
          }
        };
        const consume = async (): Promise<void> => {
          for (;;) {
            let item: number;
            try {
              item = await queue.get();
            } catch (error) {
              expect(error).toBeInstanceOf(QueueShutDownError);
              return;
            }
            received.push(item);
            queue.taskDone();
            if (received.length % 7 === 0) await settle();
          }
        };
        const consumers = [consume(), consume(), consume()];
        await Promise.all([0, 1, 2, 3].map(produce));
        await queue.join();
        queue.shutdown();
        await Promise.all(consumers);

        expect(largest).toBeLessThanOrEqual(maxsize);
        const expected = [0, 1, 2, 3].flatMap((p) => Array.from({ length: 50 }, (_, i) => p * 1000 + i));
        expect([...received].sort((a, b) => a - b)).toEqual(expected);
        if (fifo) {
          for (const p of [0, 1, 2, 3]) expect(received.filter((x) => Math.floor(x / 1000) === p)).toEqual(expected.slice(p * 50, p * 50 + 50));
        }
      });
    });

    describe('taskDone and join', () => {
      it('join resolves at once when nothing was put', async () => {
        const joined = observe(makeQueue(0).join());
        await settle();
        expect(joined.state).toBe('fulfilled');
      });

      it('join waits until every item put has been marked done', async () => {
        const queue = makeQueue(0);
        putAll(queue, [1, 2]);
        const joins = [observe(queue.join()), observe(queue.join())];
        takeAll(queue);
        queue.taskDone();
        await settle();
        expect(joins.map((j) => j.state)).toEqual(['pending', 'pending']);
        queue.taskDone();
        await settle();
        expect(joins.map((j) => j.state)).toEqual(['fulfilled', 'fulfilled']);
      });

      it('join waits again once new work arrives', async () => {
        const queue = makeQueue(0);
        await queue.put(1);
        await queue.get();
        queue.taskDone();
        await queue.join();
        await queue.put(2);
        const joined = observe(queue.join());
        await settle();
        expect(joined.state).toBe('pending');
        await queue.get();
        queue.taskDone();
        await settle();
        expect(joined.state).toBe('fulfilled');
      });

      it('taskDone throws when called more often than items were put', async () => {
        const queue = makeQueue(0);
        expect(() => queue.taskDone()).toThrow(Error);
        await queue.put(1);
        await queue.get();
        queue.taskDone();
        expect(() => queue.taskDone()).toThrow(Error);
      });
    });

    describe('shutdown', () => {
      for (const immediate of [false, true]) {
        const mode = immediate ? 'shutdown(true)' : 'shutdown()';

        it(`${mode}: put and putNowait fail with QueueShutDownError`, async () => {
          const queue = makeQueue(0);
          queue.shutdown(immediate);
          await expect(queue.put(1)).rejects.toBeInstanceOf(QueueShutDownError);
          expect(() => queue.putNowait(1)).toThrow(QueueShutDownError);
          expect(queue.qsize()).toBe(0);
        });

        it(`${mode}: wakes waiting getters with QueueShutDownError`, async () => {
          const queue = makeQueue(0);
          const getters = [observe(queue.get()), observe(queue.get())];
          queue.shutdown(immediate);
          await settle();
          getters.forEach(expectShutDown);
          await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDownError);
          expect(() => queue.getNowait()).toThrow(QueueShutDownError);
        });

        it(`${mode}: wakes waiting putters with QueueShutDownError; their items never enter`, async () => {
          const queue = makeQueue(1);
          queue.putNowait(1);
          const putters = [observe(queue.put(2)), observe(queue.put(3))];
          queue.shutdown(immediate);
          await settle();
          putters.forEach(expectShutDown);
          expect(takeAll(queue)).toEqual(immediate ? [] : [1]);
        });
      }

      it('shutdown() lets get drain what is left, then fail', async () => {
        const queue = makeQueue(0);
        putAll(queue, [1, 2]);
        queue.shutdown();
        expectOrder([await queue.get(), queue.getNowait()], [1, 2]);
        await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDownError);
      });

      it('shutdown() keeps join waiting for the drained items to be marked done', async () => {
        const queue = makeQueue(0);
        queue.putNowait(1);
        queue.shutdown();
        const joined = observe(queue.join());
        await queue.get();
        await settle();
        expect(joined.state).toBe('pending');
        queue.taskDone();
        await settle();
        expect(joined.state).toBe('fulfilled');
      });

      it('shutdown(true) drops what is left, counting it done, so join resolves', async () => {
        const queue = makeQueue(0);
        putAll(queue, [1, 2, 3]);
        const joined = observe(queue.join());
        queue.shutdown(true);
        expect([queue.qsize(), queue.empty()]).toEqual([0, true]);
        await settle();
        expect(joined.state).toBe('fulfilled');
        await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDownError);
      });

      it('shutdown(true) still waits for items already taken to be marked done', async () => {
        const queue = makeQueue(0);
        putAll(queue, [1, 2]);
        await queue.get();
        queue.shutdown(true);
        const joined = observe(queue.join());
        await settle();
        expect(joined.state).toBe('pending');
        queue.taskDone();
        await settle();
        expect(joined.state).toBe('fulfilled');
        expect(() => queue.taskDone()).toThrow(Error);
      });

      it('shutdown(true) after shutdown() drops what is left', () => {
        const queue = makeQueue(0);
        putAll(queue, [1, 2]);
        queue.shutdown();
        queue.shutdown(true);
        expect(queue.qsize()).toBe(0);
      });
    });

    describeIterationConformance(makeQueue, expectOrder);
  });
}
