/**
 * Where a `BaseAsyncQueue` keeps its items; the only thing that differs between queue kinds
 * (FIFO ring buffer, priority heap, ...). The queue calls `pop` only when `size() > 0`.
 */
export interface QueueStorage<T> {
  /** Adds one item. */
  push(item: T): void;
  /** Removes and returns the item that comes out next. Never called while empty. */
  pop(): T;
  /** How many items are stored. */
  size(): number;
  /** Drops every item (and the references to them). */
  clear(): void;
}
