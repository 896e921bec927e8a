import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { isWrongLastSequence } from '../jetstream-errors.js';
import { WatchInterruptedError } from './cluster-errors.js';

export interface LeaseTimings {
  /** A lease not renewed for this long may be taken by another process. */
  readonly ttlMs: number;
  /** How often a held lease is renewed. Default `ttlMs / 3`. */
  readonly renewMs?: number;
}

/** What the owner of the leases does when one changes hands. */
export interface LeaseHandlers {
  /**
   * The lease is ours: start pulling. `takeover` is true when it was taken from an owner that
   * stopped renewing (its unacknowledged messages should be made available again).
   */
  acquired(slot: string, takeover: boolean): Promise<void>;
  /** The lease is gone (renewal refused, or its deadline passed): stop pulling and acking at once. */
  lost(slot: string): void;
  /** We are giving the lease up: finish running turns and ack them, then resolve. */
  release(slot: string): Promise<void>;
  /** A failure nobody awaits (the watch of the bucket ended and is restarted). */
  onError?(error: unknown): void;
}

interface Held {
  revision: number;
  /** performance.now() after which this process must not act on the slot any more. */
  deadline: number;
  releasing: boolean;
}

interface Observed {
  revision: number;
  owner: string | undefined;
  /** performance.now() when this revision was first seen. */
  since: number;
}

const ENCODER = new TextEncoder();

/**
 * Leases on slots (one per type and partition) in a KV bucket, won by `create` and renewed by
 * `update(revision)`, so two processes can never both renew one lease.
 *
 * A holder's local deadline is the send time of its last successful renewal plus the TTL minus a
 * margin; it stops acting on the slot at that deadline even if it heard nothing (a paused or cut-off
 * process). A contender takes a lease only after seeing the same revision for a whole TTL on its own
 * clock, which began after the holder sent that renewal: the two clocks are never compared.
 */
export class PartitionLeases {
  private readonly held = new Map<string, Held>();
  private readonly observed = new Map<string, Observed>();
  private desired = new Set<string>();
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly marginMs: number;
  private lastRenewal = 0;
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;
  private stopped = false;

  private constructor(
    private readonly kv: KV,
    private readonly processId: string,
    timings: LeaseTimings,
    private readonly handlers: LeaseHandlers,
    private watcher: QueuedIterator<KvWatchEntry>,
  ) {
    this.ttlMs = timings.ttlMs;
    this.renewMs = timings.renewMs ?? Math.floor(timings.ttlMs / 3);
    this.marginMs = Math.min(500, Math.floor(timings.ttlMs / 10));
    this.ticker = setInterval(() => this.tick(), Math.max(20, Math.min(250, Math.floor(this.renewMs / 2))));
    this.ticker.unref();
    void this.follow();
  }

  static async start(kv: KV, processId: string, timings: LeaseTimings, handlers: LeaseHandlers): Promise<PartitionLeases> {
    if (!(timings.ttlMs > 0)) throw new RangeError(`The lease TTL must be a positive number of ms, got ${timings.ttlMs}`);
    return new PartitionLeases(kv, processId, timings, handlers, await kv.watch());
  }

  /** Whether this process may act on `slot` now (lease held and before its local deadline). */
  isValid(slot: string): boolean {
    const held = this.held.get(slot);
    return held !== undefined && performance.now() < held.deadline;
  }

  heldSlots(): string[] {
    return [...this.held.keys()];
  }

  /** The slots this process should own (rendezvous hashing decides); takes and gives up leases to match. */
  setDesired(slots: Iterable<string>): void {
    if (this.stopped) return;
    this.desired = new Set(slots);
    this.reconcile();
  }

  /** Gives every lease up (each after `release`), so their next owners need not wait for a TTL. */
  async stop(): Promise<void> {
    this.desired = new Set();
    this.stopped = true;
    await this.reconciling;
    await Promise.all([...this.held.keys()].map((slot) => this.release(slot)));
    clearInterval(this.ticker);
    this.watcher.stop();
  }

  /** Stops at once without releasing (leases then expire): what a crash looks like to the others. */
  abandon(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    this.watcher.stop();
    for (const slot of [...this.held.keys()]) this.lose(slot);
  }

  private reconcile(): void {
    if (this.reconciling !== undefined) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = this.reconcileOnce().finally(() => {
      this.reconciling = undefined;
      if (this.reconcileAgain && !this.stopped) {
        this.reconcileAgain = false;
        this.reconcile();
      }
    });
  }

  private async reconcileOnce(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const slot of this.desired) if (!this.held.has(slot)) work.push(this.tryAcquire(slot).catch(() => {}));
    for (const [slot, held] of this.held) if (!this.desired.has(slot) && !held.releasing) work.push(this.release(slot));
    await Promise.all(work);
  }

  private async tryAcquire(slot: string): Promise<void> {
    const entry = await this.kv.get(slot);
    const sent = performance.now();
    let revision: number;
    let takeover: boolean;
    if (entry === null || entry.operation !== 'PUT') {
      revision = await this.casOrUndefined(() => this.kv.create(slot, this.record()));
      takeover = false;
    } else {
      const owner = ownerOf(entry.value);
      const seen = this.observe(slot, entry.revision, owner);
      if (owner !== this.processId && sent - seen.since < this.ttlMs) return; // held by a live owner
      revision = await this.casOrUndefined(() => this.kv.update(slot, this.record(), entry.revision));
      takeover = true;
    }
    if (revision === 0 || this.stopped || !this.desired.has(slot)) {
      if (revision !== 0) await this.kv.delete(slot, { previousSeq: revision }).catch(() => {});
      return;
    }
    this.held.set(slot, { revision, deadline: sent + this.ttlMs - this.marginMs, releasing: false });
    try {
      await this.handlers.acquired(slot, takeover);
    } catch {
      // Could not start on it (e.g. the consumer could not be made): let someone else, or a later round, try.
      const held = this.held.get(slot);
      this.lose(slot);
      if (held !== undefined) await this.kv.delete(slot, { previousSeq: held.revision }).catch(() => {});
    }
  }

  private async release(slot: string): Promise<void> {
    const held = this.held.get(slot);
    if (held === undefined || held.releasing) return;
    held.releasing = true;
    try {
      await this.handlers.release(slot);
    } finally {
      const current = this.held.get(slot);
      if (current === held) {
        this.held.delete(slot);
        await this.kv.delete(slot, { previousSeq: current.revision }).catch(() => {});
      }
    }
  }

  private lose(slot: string): void {
    if (!this.held.delete(slot)) return;
    this.handlers.lost(slot);
  }

  private tick(): void {
    const now = performance.now();
    for (const [slot, held] of this.held) if (now >= held.deadline) this.lose(slot);
    if (now - this.lastRenewal >= this.renewMs) {
      this.lastRenewal = now;
      for (const slot of this.held.keys()) void this.renew(slot);
      // Also retries slots we want but could not take yet (their owner may have died).
      if (!this.stopped) this.reconcile();
    }
  }

  private async renew(slot: string): Promise<void> {
    const held = this.held.get(slot);
    if (held === undefined) return;
    const sent = performance.now();
    try {
      const revision = await this.kv.update(slot, this.record(), held.revision, this.renewMs);
      if (this.held.get(slot) !== held) return;
      held.revision = revision;
      held.deadline = sent + this.ttlMs - this.marginMs;
    } catch (error) {
      // Someone else wrote the lease: it is theirs now. Other failures: the deadline decides.
      if (isWrongLastSequence(error) && this.held.get(slot) === held) this.lose(slot);
    }
  }

  /** Follows the bucket while running; a watch that ends or fails is reported and started again. */
  private async follow(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        for await (const entry of this.watcher) {
          attempt = 0;
          this.apply(entry);
        }
        if (this.stopped) return;
        this.handlers.onError?.(new WatchInterruptedError('leases'));
      } catch (error) {
        if (this.stopped) return;
        this.handlers.onError?.(new WatchInterruptedError('leases', { cause: error }));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      if (this.stopped) return;
      try {
        const watcher = await this.kv.watch();
        if (this.stopped) watcher.stop();
        this.watcher = watcher;
      } catch (error) {
        this.handlers.onError?.(error); // tried again after the next back-off, on the old (ended) watch
      }
    }
  }

  private apply(entry: KvWatchEntry): void {
    const owner = entry.operation === 'PUT' ? ownerOf(entry.value) : undefined;
    this.observe(entry.key, entry.revision, owner);
    const held = this.held.get(entry.key);
    if (held !== undefined && owner !== this.processId && entry.revision > held.revision) this.lose(entry.key);
    if (owner === undefined && this.desired.has(entry.key) && !this.held.has(entry.key)) this.reconcile();
  }

  private observe(slot: string, revision: number, owner: string | undefined): Observed {
    const previous = this.observed.get(slot);
    if (previous !== undefined && previous.revision >= revision) return previous;
    const seen = { revision, owner, since: performance.now() };
    this.observed.set(slot, seen);
    return seen;
  }

  private record(): Uint8Array {
    return ENCODER.encode(JSON.stringify({ owner: this.processId }));
  }

  /** The new revision, or 0 when another process won the compare-and-set. */
  private async casOrUndefined(write: () => Promise<number>): Promise<number> {
    try {
      return await write();
    } catch (error) {
      if (isWrongLastSequence(error)) return 0;
      throw error;
    }
  }
}

function ownerOf(value: Uint8Array): string | undefined {
  try {
    const owner = (JSON.parse(new TextDecoder().decode(value)) as { owner?: unknown }).owner;
    return typeof owner === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}
