import type { Activation } from './activation.js';
import type { IdleTracker } from './idle-tracker.js';

/**
 * Activations just built, not yet idle: one that could be chosen as a victim before the message it
 * was built for enters would let activations under the cap evict one another forever. One
 * macrotask later, an instance nothing entered (built by `get(…, { lazy: false })`, or its message
 * was cancelled) counts as idle from then on.
 */
export class FreshActivations {
  private fresh: Activation[] = [];

  constructor(private readonly idle: IdleTracker) {}

  add(activation: Activation): void {
    if (this.fresh.length === 0) setImmediate(this.idleIfUnused);
    this.fresh.push(activation);
  }

  private readonly idleIfUnused = (): void => {
    const fresh = this.fresh;
    this.fresh = [];
    const now = performance.now();
    for (const activation of fresh) {
      // Not idle yet, and no message in it nor ever was (one that had been in it left it idle).
      const unused = activation.inFlight === 0 && !this.idle.isIdle(activation) && !activation.retired && !activation.closing;
      if (unused) this.idle.idle(activation, now);
    }
  };
}
