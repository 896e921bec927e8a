import { LinkedList, ListNode } from './linked-list.js';

/** A state store call in flight: it times out at `deadline` unless it settles first. */
export class PendingStoreCall {
  readonly node: ListNode<PendingStoreCall> = new ListNode<PendingStoreCall>(this);

  constructor(
    readonly deadline: number,
    readonly timedOut: () => void,
  ) {}
}

/**
 * The deadlines of the state store calls in flight. Every call has the same timeout, so the
 * oldest call is always the next to time out, and one timer armed for it serves all of them:
 * a timer per call (two per activation under a cap) cost more than the store calls themselves.
 */
export class StoreDeadlines {
  private readonly calls = new LinkedList<PendingStoreCall>();
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(readonly timeoutMs: number) {}

  /** Starts the clock of a call; `timedOut` runs once its deadline passes, unless `settle` came first. */
  add(timedOut: () => void): PendingStoreCall {
    const call = new PendingStoreCall(performance.now() + this.timeoutMs, timedOut);
    this.calls.push(call.node);
    if (this.timer === undefined) this.arm(this.timeoutMs);
    return call;
  }

  /** The call settled: `false` when it had already timed out (its outcome must then be ignored). */
  settle(call: PendingStoreCall): boolean {
    return this.calls.remove(call.node);
  }

  private arm(ms: number): void {
    // Unref'd: a pending store call must not keep the process alive on its own.
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (let oldest = this.calls.first(); oldest !== undefined; oldest = this.calls.first()) {
      if (oldest.deadline > now) return this.arm(oldest.deadline - now);
      this.calls.remove(oldest.node);
      oldest.timedOut();
    }
  }
}
