/**
 * One suspended `get` or `put`: how to settle its promise, the item it offers (a `put`; `undefined`
 * for a `get`) and the abort listener to detach once it leaves the list.
 */
export class Waiter<R, I> {
  prev: Waiter<R, I> | null = null;
  next: Waiter<R, I> | null = null;
  linked = false;
  signal: AbortSignal | null = null;
  onAbort: (() => void) | null = null;

  constructor(
    readonly item: I,
    readonly resolve: (value: R) => void,
    readonly reject: (reason: unknown) => void,
  ) {}
}

/**
 * FIFO of waiters as a doubly linked list: O(1) append, take-first and removal from the middle
 * (an aborted waiter leaves at once instead of lingering until it reaches the front).
 */
export class WaiterList<R, I> {
  private head: Waiter<R, I> | null = null;
  private tail: Waiter<R, I> | null = null;
  private count = 0;

  size(): number {
    return this.count;
  }

  append(waiter: Waiter<R, I>): void {
    waiter.linked = true;
    waiter.prev = this.tail;
    if (this.tail === null) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    this.count++;
  }

  /** Unlinks and returns the oldest waiter, or `null` when there is none. */
  takeFirst(): Waiter<R, I> | null {
    const waiter = this.head;
    if (waiter !== null) this.remove(waiter);
    return waiter;
  }

  /** Unlinks `waiter` and detaches its abort listener; `false` if it had already left. */
  remove(waiter: Waiter<R, I>): boolean {
    if (!waiter.linked) return false;
    waiter.linked = false;
    if (waiter.prev === null) this.head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === null) this.tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = null;
    waiter.next = null;
    this.count--;
    if (waiter.signal !== null && waiter.onAbort !== null) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
    }
    return true;
  }

  /** Empties the list, rejecting every waiter, oldest first, with a fresh `makeReason()`. */
  rejectAll(makeReason: () => unknown): void {
    for (let waiter = this.takeFirst(); waiter !== null; waiter = this.takeFirst()) {
      waiter.reject(makeReason());
    }
  }
}
