import type { Turns } from './activation.js';
import { LinkedList } from './linked-list.js';

/** What a blocked turn is reported with. */
export type TurnBlockedReport = (turns: Turns, waitedMs: number, thresholdMs: number) => void;

/** The default of `turnBlockedWarningMs`. */
export const DEFAULT_TURN_BLOCKED_WARNING_MS = 5_000;

/**
 * Watches serial agents whose running turn keeps messages waiting: once the first of them has
 * waited `thresholdMs`, the turn is reported (once per turn). Costs nothing for a turn nobody waits
 * behind; a turn with waiters costs one clock read and a list push. The list is in blocking order
 * (the clock is monotonic), so one unref'd timer for its head suffices.
 */
export class TurnWatch {
  private readonly blocked = new LinkedList<Turns>();
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly thresholdMs: number,
    private readonly report: TurnBlockedReport,
  ) {}

  /** `thresholdMs` as an engine option gives it: a watch, or none for 0 / Infinity. */
  static fromOption(thresholdMs: number, report: TurnBlockedReport): TurnWatch | undefined {
    return thresholdMs > 0 && Number.isFinite(thresholdMs) ? new TurnWatch(thresholdMs, report) : undefined;
  }

  /** A message began to wait behind `turns`' running turn. */
  block(turns: Turns): void {
    turns.blockedSince = performance.now();
    this.blocked.push(turns);
    if (this.timer === undefined) this.arm(this.thresholdMs);
  }

  /** The running turn of `turns` ended. */
  unblock(turns: Turns): void {
    this.blocked.remove(turns);
    turns.warned = false;
  }

  private arm(delayMs: number): void {
    // Unref'd: a warning must not keep the process alive on its own.
    this.timer = setTimeout(this.expire, Math.max(0, delayMs));
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (let head = this.blocked.first(); head !== undefined; head = this.blocked.first()) {
      const due = head.blockedSince + this.thresholdMs;
      if (due > now) return this.arm(due - now);
      this.blocked.remove(head);
      head.warned = true;
      this.report(head, now - head.blockedSince, this.thresholdMs);
    }
  };
}
