import type { Activation } from './activation.js';
import type { AgentRegistration } from './agent-registration.js';

/**
 * The idle activations the engine may deactivate: in least-recently-used order (for
 * `maxActiveAgents`) and by expiry (for `idleTimeoutMs`). A `Map` keeps insertion order, so
 * re-inserting on every idle transition keeps both orders without sorting; activations with the
 * same timeout expire in the order they fell idle, so one timer for the earliest head suffices.
 */
export class IdleTracker {
  private readonly lru = new Map<string, Activation>();
  private readonly byTimeout = new Map<number, Map<string, Activation>>();
  private timer: NodeJS.Timeout | undefined = undefined;
  private timerAt = Infinity;

  constructor(
    /** Whether idle activations without a timeout are tracked too (the engine has a cap). */
    private readonly trackAll: boolean,
    private readonly onExpired: (activation: Activation) => void,
  ) {}

  /** Whether the idleness of this type's instances matters to the engine. */
  tracks(registration: AgentRegistration): boolean {
    return this.trackAll || registration.idleTimeoutMs !== undefined;
  }

  get idleCount(): number {
    return this.lru.size;
  }

  idle(activation: Activation, now: number): void {
    activation.idleSince = now;
    this.lru.set(activation.key, activation);
    const timeout = activation.registration?.idleTimeoutMs;
    if (timeout === undefined) return;
    let bucket = this.byTimeout.get(timeout);
    if (bucket === undefined) this.byTimeout.set(timeout, (bucket = new Map()));
    bucket.set(activation.key, activation);
    this.arm(now + timeout);
  }

  busy(activation: Activation): void {
    if (!this.lru.delete(activation.key)) return;
    const timeout = activation.registration?.idleTimeoutMs;
    if (timeout !== undefined) this.byTimeout.get(timeout)?.delete(activation.key);
  }

  /** The activation idle the longest, or `undefined` when none is idle. */
  leastRecentlyUsed(): Activation | undefined {
    for (const activation of this.lru.values()) return activation;
    return undefined;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.lru.clear();
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
    for (const [timeout, bucket] of this.byTimeout) {
      for (const activation of bucket.values()) {
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
