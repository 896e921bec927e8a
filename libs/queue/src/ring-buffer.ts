import type { QueueStorage } from './queue-storage.js';

const MIN_CAPACITY = 16;

/**
 * FIFO storage in a power-of-two circular array: O(1) push and pop (amortised over growth), no
 * `Array.prototype.shift`, which is O(n) once an array leaves V8's fast path.
 * It shrinks again after a burst so a queue that once held a million items does not keep the memory.
 */
export class RingBuffer<T> implements QueueStorage<T> {
  // Empty slots hold `undefined` so popped items can be collected and the array stays packed.
  private slots: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
  private head = 0;
  private count = 0;
  private mask = MIN_CAPACITY - 1;

  /** Current number of slots (grows and shrinks by powers of two); exposed for tests. */
  capacity(): number {
    return this.slots.length;
  }

  size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.slots.length) this.resize(this.slots.length * 2);
    this.slots[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  pop(): T {
    const head = this.head;
    const item = this.slots[head] as T;
    this.slots[head] = undefined;
    this.head = (head + 1) & this.mask;
    this.count--;
    // Shrink at a quarter full (not half) so alternating push/pop at the boundary cannot thrash.
    if (this.count <= this.slots.length >>> 2 && this.slots.length > MIN_CAPACITY) {
      this.resize(this.slots.length >>> 1);
    }
    return item;
  }

  clear(): void {
    this.slots = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
    this.head = 0;
    this.count = 0;
    this.mask = MIN_CAPACITY - 1;
  }

  private resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
