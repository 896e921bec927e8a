/**
 * A place in one `LinkedList` (a node is only ever used with one list). The owner of an item keeps
 * its node and reuses it, so taking the item out and putting it back allocates nothing. A class
 * whose instances sit in one list may extend `ListNode` and be its own node (`super()` with no
 * item, or `undefined`): one object instead of two.
 */
export class ListNode<T> {
  prev: ListNode<T> | undefined = undefined;
  next: ListNode<T> | undefined = undefined;
  listed = false;
  readonly item: T;

  constructor(item?: T) {
    this.item = item === undefined ? (this as unknown as T) : item;
  }
}

/**
 * Items in the order they were pushed, with O(1) push, removal from anywhere and access to the
 * oldest. A `Map` would give the order too, but V8 leaves a hole for every deleted entry until the
 * table is rebuilt, and finding the oldest entry walks those holes: with a steady churn of agents
 * through the cap, that walk cost thousands of steps per activation.
 */
export class LinkedList<T> {
  private head: ListNode<T> | undefined = undefined;
  private tail: ListNode<T> | undefined = undefined;
  size = 0;

  /** Appends `node` as the newest; a node already listed (here) moves to the end. */
  push(node: ListNode<T>): void {
    if (node.listed) this.remove(node);
    node.listed = true;
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail === undefined) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.size++;
  }

  /** Takes `node` out; `false` when it was not listed. */
  remove(node: ListNode<T>): boolean {
    if (!node.listed) return false;
    const { prev, next } = node;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    node.prev = node.next = undefined;
    node.listed = false;
    this.size--;
    return true;
  }

  /** The oldest item, or `undefined` when the list is empty. */
  first(): T | undefined {
    return this.head?.item;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let node = this.head; node !== undefined; node = node.next) yield node.item;
  }

  clear(): void {
    for (let node = this.head; node !== undefined; ) {
      const next = node.next;
      node.prev = node.next = undefined;
      node.listed = false;
      node = next;
    }
    this.head = this.tail = undefined;
    this.size = 0;
  }
}
