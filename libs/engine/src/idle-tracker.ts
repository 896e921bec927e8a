import type { Activation } from './activation.js';
import { LinkedList } from './linked-list.js';

/**
 * The idle activations the engine may deactivate: in least-recently-used order (for
 * `maxActiveAgents`) and by expiry (for `idleTimeoutMs`). Both orders are kept by appending on
 * every idle transition, without sorting: activations with the same timeout expire in the order
 * they fell idle, so one timer for the earliest head of the per-timeout lists suffices. An
 * activation is its own node in the least-recently-used list; its node in an expiry list is apart.
 */
export class IdleTracker {
  private readonly lru = new LinkedList<Activation>();
  private readonly byTimeout = new Map<number, LinkedList<Activation>>();
  private timer: NodeJS.Timeout | undefined = undefined;
  private timerAt = Infinity;

  constructor(private readonly onExpired: (activation: Activation) => void) {}

  /** `activation` fell idle; the time is read (or taken from `now`) only for an idle timeout. */
  idle(activation: Activation, now?: number): void {
    this.lru.push(activation);
    const timeout = activation.registration?.idleTimeoutMs;
    if (timeout === undefined) return;
    const at = now ?? performance.now();
    activation.idleSince = at;
    let list = this.byTimeout.get(timeout);
    if (list === undefined) this.byTimeout.set(timeout, (list = new LinkedList()));
    list.push(activation.timeoutNode);
    this.arm(at + timeout);
  }

  /** Whether `activation` is idle here (it has fallen idle and nothing entered it since). */
  isIdle(activation: Activation): boolean {
    return activation.listed;
  }

  busy(activation: Activation): void {
    if (!this.lru.remove(activation)) return;
    const timeout = activation.registration?.idleTimeoutMs;
    if (timeout !== undefined) this.byTimeout.get(timeout)?.remove(activation.timeoutNode);
  }

  /** The activation idle the longest, or `undefined` when none is idle. */
  leastRecentlyUsed(): Activation | undefined {
    return this.lru.first();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.lru.clear();
    for (const list of this.byTimeout.values()) list.clear();
    this.byTimeout.clear();
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    // Unref'd: an idle timeout must not keep the process alive on its own.
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - performance.now()));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const expired: Activation[] = [];
    let next = Infinity;
    for (const [timeout, list] of this.byTimeout) {
      for (const activation of list) {
        if (activation.idleSince + timeout > now) {
          next = Math.min(next, activation.idleSince + timeout);
          break;
        }
        expired.push(activation);
      }
    }
    for (const activation of expired) {
      this.busy(activation);
      this.onExpired(activation);
    }
    if (next !== Infinity) this.arm(next);
  }
}
