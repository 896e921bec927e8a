import { BaseAsyncQueue } from './base-async-queue.js';
import { BinaryHeap } from './binary-heap.js';
import { describeValue } from './describe-value.js';

/**
 * Priority queue with `AsyncQueue`'s semantics: `get` returns the smallest item by `compare`
 * (negative: `a` first), and items that compare equal come out in the order they were put.
 * `put`/`get` are O(log n) (binary heap). `compare` must not throw.
 */
export class PriorityAsyncQueue<T> extends BaseAsyncQueue<T> {
  constructor(compare: (a: T, b: T) => number, maxsize = 0) {
    if (typeof compare !== 'function') {
      throw new TypeError(`compare must be a function (a, b) => number, got ${describeValue(compare)}`);
    }
    super(new BinaryHeap<T>(compare), maxsize);
  }
}
