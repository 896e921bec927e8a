import type { QueueStorage } from './queue-storage.js';

/**
 * Min-heap ordered by `compare`, ties broken by insertion order, so equal items come out FIFO.
 * Items and their sequence numbers live in two parallel arrays: no wrapper object per push.
 */
export class BinaryHeap<T> implements QueueStorage<T> {
  private readonly items: T[] = [];
  private readonly seqs: number[] = [];
  // 2^53 pushes are out of reach, so the counter never loses precision.
  private nextSeq = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.siftUp(this.items.length, item, this.nextSeq++);
  }

  pop(): T {
    const items = this.items;
    const seqs = this.seqs;
    const top = items[0];
    const topSeq = seqs[0];
    const last = items.pop() as T;
    const lastSeq = seqs.pop() as number;
    if (items.length > 0) {
      try {
        this.siftDown(last, lastSeq);
      } catch (error) {
        // A throwing comparator must not lose the item: keep it stored (order aside) and rethrow.
        items.push(top);
        seqs.push(topSeq);
        throw error;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
    this.seqs.length = 0;
  }

  /** Whether `item` (with sequence `seq`) comes out before the item stored at `index`. */
  private before(item: T, seq: number, index: number): boolean {
    const order = this.compare(item, this.items[index]);
    return order < 0 || (!(order > 0) && seq < this.seqs[index]);
  }

  private move(from: number, to: number): void {
    this.items[to] = this.items[from];
    this.seqs[to] = this.seqs[from];
  }

  // Both sifts move a hole rather than swapping, and fill it in `finally`, so even a comparator
  // that throws leaves every item stored exactly once.
  private siftUp(start: number, item: T, seq: number): void {
    let hole = start;
    try {
      for (let parent = (hole - 1) >> 1; hole > 0 && this.before(item, seq, parent); parent = (hole - 1) >> 1) {
        this.move(parent, hole);
        hole = parent;
      }
    } finally {
      this.items[hole] = item;
      this.seqs[hole] = seq;
    }
  }

  private siftDown(item: T, seq: number): void {
    const length = this.items.length;
    let hole = 0;
    try {
      for (let child = 1; child < length; child = 2 * hole + 1) {
        if (child + 1 < length && this.before(this.items[child + 1], this.seqs[child + 1], child)) child++;
        // Sequence numbers are unique, so "item first" is exactly "child not first".
        if (this.before(item, seq, child)) break;
        this.move(child, hole);
        hole = child;
      }
    } finally {
      this.items[hole] = item;
      this.seqs[hole] = seq;
    }
  }
}
