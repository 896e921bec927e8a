import type { QueueStorage } from '@agentopera/queue';
import { Deque } from './deque.js';

/**
 * Round-robin storage: one FIFO lane per key, and the keys that have items take turns. A key with
 * a thousand items waiting gets one turn per round like a key with one, so it cannot starve the
 * others. Every operation is O(1): lanes live in a Map and the turn order is itself a deque.
 */
export class FairQueueStorage<T> implements QueueStorage<T> {
  private readonly lanes = new Map<string, Deque<T>>();
  // Each key with a non-empty lane appears here exactly once.
  private readonly turns = new Deque<string>();
  private count = 0;

  constructor(private readonly laneOf: (item: T) => string) {}

  push(item: T): void {
    const key = this.laneOf(item);
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = new Deque<T>();
      this.lanes.set(key, lane);
      this.turns.push(key);
    }
    lane.push(item);
    this.count++;
  }

  pop(): T {
    const key = this.turns.shift();
    const lane = this.lanes.get(key) as Deque<T>;
    const item = lane.shift();
    // An emptied lane is dropped, so a key that comes back later queues behind the current round.
    if (lane.size > 0) this.turns.push(key);
    else this.lanes.delete(key);
    this.count--;
    return item;
  }

  size(): number {
    return this.count;
  }

  clear(): void {
    this.lanes.clear();
    this.turns.clear();
    this.count = 0;
  }
}
