import { describeValue } from './describe-value.js';
import { QueueEmptyError, QueueFullError, QueueShutDownError, QueueTaskDoneError } from './errors.js';
import type { MessageQueue } from './message-queue.js';
import type { QueueStorage } from './queue-storage.js';
import { Waiter, WaiterList } from './waiter-list.js';

/** Options of `put`/`get` on the queues of this library (beyond the `MessageQueue` contract). */
export interface QueueWaitOptions {
  /**
   * Withdraws the call while it still waits: it rejects with `signal.reason` and nothing is added
   * or taken. Already aborted: rejects at once. Aborting after it settled changes nothing.
   */
  signal?: AbortSignal;
}

// One shared settled promise: `put` on a queue with room allocates nothing.
const RESOLVED: Promise<void> = Promise.resolve();

const shutDownError = (): QueueShutDownError => new QueueShutDownError();

/**
 * The `asyncio.Queue` (Python 3.13) machinery — waiting getters and putters, unfinished-task count,
 * `join`, `shutdown` — over a pluggable `QueueStorage`. `AsyncQueue` and `PriorityAsyncQueue`
 * differ only in the storage they pass; subclass it with another storage for another order.
 *
 * Unlike asyncio, which wakes a waiter and lets it race to re-check, a waiter is served directly:
 * a `put` that finds a waiting `get` hands its item over, and a `get` that frees a slot moves the
 * oldest waiting `put`'s item in. So a woken waiter always gets its item or slot, waiters are served
 * strictly FIFO, and nothing is lost or delivered twice.
 *
 * Items are delivered through promises, so an item that is itself a thenable is adopted.
 */
export abstract class BaseAsyncQueue<T> implements MessageQueue<T> {
  /** Capacity; 0 means unbounded. */
  readonly maxsize: number;
  private readonly storage: QueueStorage<T>;
  // Invariants: getters wait only while storage is empty; putters only while it is full.
  private readonly getters = new WaiterList<T, undefined>();
  private readonly putters = new WaiterList<void, T>();
  private unfinished = 0;
  private finished: Promise<void> | null = null;
  private resolveFinished: (() => void) | null = null;
  private isShutDown = false;

  protected constructor(storage: QueueStorage<T>, maxsize: number) {
    // As in asyncio.Queue, any maxsize <= 0 means unbounded.
    if (!Number.isInteger(maxsize)) {
      throw new RangeError(`maxsize must be an integer (<= 0 = unbounded), got ${describeValue(maxsize)}`);
    }
    this.storage = storage;
    this.maxsize = maxsize;
  }

  qsize(): number {
    return this.storage.size();
  }

  empty(): boolean {
    return this.storage.size() === 0;
  }

  full(): boolean {
    return this.maxsize > 0 && this.storage.size() >= this.maxsize;
  }

  put(item: T, options?: QueueWaitOptions): Promise<void> {
    const signal = options?.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.isShutDown) return Promise.reject(new QueueShutDownError());
    if (this.offer(item)) return RESOLVED;
    return this.suspend(this.putters, item, signal);
  }

  putNowait(item: T): void {
    if (this.isShutDown) throw new QueueShutDownError();
    if (!this.offer(item)) throw new QueueFullError(`The queue is full (maxsize ${this.maxsize})`);
  }

  get(options?: QueueWaitOptions): Promise<T> {
    const signal = options?.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.storage.size() > 0) return Promise.resolve(this.take());
    if (this.isShutDown) return Promise.reject(new QueueShutDownError());
    return this.suspend(this.getters, undefined, signal);
  }

  getNowait(): T {
    if (this.storage.size() > 0) return this.take();
    throw this.isShutDown ? new QueueShutDownError() : new QueueEmptyError();
  }

  taskDone(): void {
    if (this.unfinished <= 0) throw new QueueTaskDoneError();
    if (--this.unfinished === 0) this.markFinished();
  }

  join(): Promise<void> {
    if (this.unfinished === 0) return RESOLVED;
    if (this.finished === null) {
      this.finished = new Promise<void>((resolve) => {
        this.resolveFinished = resolve;
      });
    }
    return this.finished;
  }

  /**
   * `for await (const item of queue)`: takes the next item with `get` on each iteration and ends
   * when the queue is shut down and empty (a non-immediate shutdown drains first). Like `get`, it
   * does not call `taskDone`; call it after each item if anyone `join`s. Several loops may consume
   * one queue; each item goes to one of them. Leaving a loop early takes nothing more.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof QueueShutDownError) return;
        throw error;
      }
      yield item;
    }
  }

  shutdown(immediate = false): void {
    this.isShutDown = true;
    if (immediate) {
      const dropped = this.storage.size();
      this.storage.clear();
      // As asyncio: each dropped item counts as done, but never below zero (taskDone may run early).
      this.unfinished = Math.max(0, this.unfinished - dropped);
      if (this.unfinished === 0) this.markFinished();
    }
    // Getters wait only on an empty queue and putters can never succeed now: all of them fail.
    this.getters.rejectAll(shutDownError);
    this.putters.rejectAll(shutDownError);
  }

  /** Adds `item` (to the oldest waiting getter, else to storage); `false` when full. */
  private offer(item: T): boolean {
    const getter = this.getters.takeFirst();
    if (getter !== null) {
      // A getter waits only while storage is empty, so the item is next in any order.
      this.unfinished++;
      getter.resolve(item);
      return true;
    }
    if (this.maxsize > 0 && this.storage.size() >= this.maxsize) return false;
    // Counted first: storage that throws (a bad comparator) still keeps the item.
    this.unfinished++;
    this.storage.push(item);
    return true;
  }

  /** Removes the next item; the slot it frees goes to the oldest waiting putter at once. */
  private take(): T {
    const item = this.storage.pop();
    const putter = this.putters.takeFirst();
    if (putter !== null) {
      this.unfinished++;
      this.storage.push(putter.item);
      putter.resolve();
    }
    return item;
  }

  private suspend<R, I>(list: WaiterList<R, I>, item: I, signal: AbortSignal | undefined): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiter = new Waiter<R, I>(item, resolve, reject);
      list.append(waiter);
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (list.remove(waiter)) reject(signal.reason);
        };
        waiter.signal = signal;
        waiter.onAbort = onAbort;
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  private markFinished(): void {
    const resolve = this.resolveFinished;
    if (resolve === null) return;
    this.finished = null;
    this.resolveFinished = null;
    resolve();
  }
}
