/**
 * A growable ring buffer: O(1) `push` at the back and `shift` from the front. The queue library
 * keeps its own ring buffer private, and an application that writes a queue needs one too.
 */
export class Deque<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the front item; the caller checks `size` first. */
  shift(): T {
    if (this.count === 0) throw new RangeError('shift() on an empty Deque');
    const item = this.items[this.head] as T;
    // Cleared so a consumed item can be garbage-collected while the deque lives on.
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  clear(): void {
    this.items = new Array<T | undefined>(8);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const grown = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.count; i++) grown[i] = this.items[(this.head + i) % this.items.length];
    this.items = grown;
    this.head = 0;
  }
}
