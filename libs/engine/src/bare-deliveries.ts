/** Deliveries to bare agents that started in one epoch; it ends once they have all finished. */
export class DeliveryEpoch {
  count = 0;
  private closed = false;
  private waiters: (() => void)[] | undefined = undefined;

  /** `deliveries` (one by default) counted by `BareDeliveries.start` have finished. */
  finish(deliveries = 1): void {
    this.count -= deliveries;
    if (this.count === 0 && this.closed) this.wake();
  }

  /** Calls `then` once every delivery of this (closed) epoch has finished: at once if none runs. */
  onDrained(then: () => void): void {
    if (this.count === 0) return then();
    (this.waiters ??= []).push(then);
  }

  close(): void {
    this.closed = true;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const then of waiters) then();
  }
}

/**
 * Messages in flight on bare agents (concurrent, idleness untracked, not persisted)
 * that the directory keeps without an `Activation`, so a million of them cost what a `Map` of a
 * million agents costs. Their deliveries are counted per epoch rather than per agent: when one of
 * them must become a full activation (to be deactivated, say), the epoch is cut, and that agent
 * counts as busy until every delivery of the old epoch has finished. That waits for more than
 * its own messages, but never for ever: later deliveries count in the new epoch.
 */
export class BareDeliveries {
  private current = new DeliveryEpoch();

  /** Counts one delivery in the current epoch; call `finish()` on the epoch returned when it ends. */
  start(): DeliveryEpoch {
    const epoch = this.current;
    epoch.count++;
    return epoch;
  }

  /** Ends the current epoch (later deliveries count in a new one) and returns it. */
  cut(): DeliveryEpoch {
    const ended = this.current;
    ended.close();
    this.current = new DeliveryEpoch();
    return ended;
  }
}
