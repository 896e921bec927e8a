import { BaseAsyncQueue } from './base-async-queue.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * FIFO queue with the semantics of Python 3.13's `asyncio.Queue`: `new AsyncQueue<T>(maxsize)`,
 * where `maxsize` 0 (the default) means unbounded. `put`/`get` are O(1) (ring buffer).
 */
export class AsyncQueue<T> extends BaseAsyncQueue<T> {
  constructor(maxsize = 0) {
    super(new RingBuffer<T>(), maxsize);
  }
}
