import { expect } from 'vitest';
import { QueueShutDownError } from './errors.js';
import type { MessageQueue } from './message-queue.js';

/** What a promise has done so far; handlers are attached at once, so no rejection goes unhandled. */
export class Observed<V> {
  state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  value: V | undefined = undefined;
  reason: unknown = undefined;

  constructor(promise: Promise<V>) {
    promise.then(
      (value) => {
        this.state = 'fulfilled';
        this.value = value;
      },
      (reason: unknown) => {
        this.state = 'rejected';
        this.reason = reason;
      },
    );
  }
}

export const observe = <V>(promise: Promise<V>): Observed<V> => new Observed(promise);

/** Lets every pending promise reaction run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export function putAll(queue: MessageQueue<number>, items: readonly number[]): void {
  for (const item of items) queue.putNowait(item);
}

export function takeAll(queue: MessageQueue<number>): number[] {
  const items: number[] = [];
  while (!queue.empty()) items.push(queue.getNowait());
  return items;
}

/** The queue's iterator (the kit runs those checks only on queues that have one). */
export function iteratorOf(queue: MessageQueue<number>): AsyncIterator<number> {
  const iterate = queue[Symbol.asyncIterator];
  if (iterate === undefined) throw new TypeError('the queue has no [Symbol.asyncIterator]');
  return iterate.call(queue);
}

export function iterable(queue: MessageQueue<number>): AsyncIterable<number> {
  return { [Symbol.asyncIterator]: () => iteratorOf(queue) };
}

/** Consumes `queue` in a `for await` loop, marking each item done, until the loop ends. */
export function consume(queue: MessageQueue<number>, received: number[]): Promise<void> {
  return (async () => {
    for await (const item of iterable(queue)) {
      received.push(item);
      queue.taskDone();
    }
  })();
}

export function expectShutDown(observed: Observed<unknown>): void {
  expect(observed.state).toBe('rejected');
  expect(observed.reason).toBeInstanceOf(QueueShutDownError);
}

