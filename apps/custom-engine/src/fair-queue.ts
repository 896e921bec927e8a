import { BaseAsyncQueue } from '@agentopera/queue';
import { FairQueueStorage } from './fair-queue-storage.js';

/**
 * A `MessageQueue` that serves lanes in turn: `laneOf(item)` names the lane of each item (for the
 * engine, its sender), items of one lane keep their order, and lanes with items alternate.
 * Waiting `get`/`put`, backpressure (`maxsize` counts items over all lanes), `join` and `shutdown`
 * are those of the queue library's `BaseAsyncQueue`; only the order of items differs.
 */
export class FairQueue<T> extends BaseAsyncQueue<T> {
  constructor(laneOf: (item: T) => string, maxsize = 0) {
    super(new FairQueueStorage<T>(laneOf), maxsize);
  }
}
