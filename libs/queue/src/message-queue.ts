/**
 * What an engine needs from a queue. Semantics follow Python 3.13's `asyncio.Queue`, including
 * `shutdown`. Implementations: `AsyncQueue` (FIFO) and `PriorityAsyncQueue` (by comparator).
 */
export interface MessageQueue<T> {
  /** Adds `item`, waiting while a bounded queue is full. Rejects with `QueueShutDownError` after shutdown. */
  put(item: T): Promise<void>;
  /** Adds `item` now; throws `QueueFullError` when full, `QueueShutDownError` after shutdown. */
  putNowait(item: T): void;
  /** Removes and returns the next item, waiting while empty. After shutdown: drains, then rejects with `QueueShutDownError`. */
  get(): Promise<T>;
  /** Removes and returns the next item now; throws `QueueEmptyError` when empty (`QueueShutDownError` when shut down and empty). */
  getNowait(): T;
  /**
   * Marks one item taken by `get` as processed; throws (`QueueTaskDoneError` in this library's
   * queues) when called more often than items were put.
   */
  taskDone(): void;
  /** Resolves once every item put has been marked done with `taskDone`. */
  join(): Promise<void>;
  /** Number of items waiting in the queue (not counting those taken but not yet marked done). */
  qsize(): number;
  /** Whether `qsize()` is 0. */
  empty(): boolean;
  /** Whether a bounded queue holds `maxsize` items (always `false` when unbounded). */
  full(): boolean;
  /**
   * Stops the queue: `put` fails from now on. Non-immediate: `get` drains what is left, then fails.
   * Immediate: drops what is left (counting it done so `join` resolves) and wakes every waiting
   * `get`/`put` with `QueueShutDownError`.
   */
  shutdown(immediate?: boolean): void;
  /**
   * Optional: `for await (const item of queue)` takes items as `get` does, one per iteration,
   * and ends once `get` would fail with `QueueShutDownError` (after draining, for a
   * non-immediate shutdown). It does not call `taskDone`. The engine never iterates a queue, so a
   * queue of your own may leave it out; this library's queues have it.
   */
  [Symbol.asyncIterator]?(): AsyncIterator<T>;
}
