import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';

/** What a process tells the cluster about itself in its heartbeat. */
export interface MemberInfo {
  readonly processId: string;
  /** The agent types it hosts (registered builders). */
  readonly types: readonly string[];
  readonly host?: string;
  readonly pid?: number;
}

export interface MembershipOptions {
  /** How often this process writes its heartbeat. */
  readonly heartbeatMs: number;
  /** A member whose heartbeat was not seen for this long is taken for dead. */
  readonly memberTtlMs: number;
  /** Called (synchronously, after the view changed) when members join, leave or change types. */
  readonly onChange?: () => void;
  /** A watch of the bucket that ended (it is started again) or failed to start again. */
  readonly onError?: (error: unknown) => void;
}

/** A reading of the server's clock (a KV entry's `created`) and of ours when we saw it. */
interface ServerClock {
  readonly server: number;
  readonly local: number;
}

interface Seen {
  info: MemberInfo;
  lastSeen: number;
}

/**
 * Membership by heartbeats in a KV bucket: each process puts its `MemberInfo` under its id every
 * `heartbeatMs` and watches the bucket. A member is live while its heartbeats keep coming, judged
 * on this process's own monotonic clock (never by comparing clocks of two machines); a member
 * that leaves cleanly deletes its key and drops out at once. A heartbeat found when a watch starts
 * is dated by server timestamps alone: its `created` against that of this process's own latest
 * heartbeat. A watch that ends while joined is reported and started again.
 */
export class Membership {
  private readonly seen = new Map<string, Seen>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly sweep: ReturnType<typeof setInterval>;
  private self: MemberInfo;
  private left = false;
  /** Watches started: the first and each restart (for diagnostics and tests). */
  watches = 1;

  private constructor(
    private readonly kv: KV,
    self: MemberInfo,
    private readonly options: MembershipOptions,
    private watcher: QueuedIterator<KvWatchEntry>,
    /** Server time now ≈ `server + (performance.now() - local)`; undefined until read. */
    private serverClock: ServerClock | undefined,
  ) {
    this.self = self;
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), options.heartbeatMs);
    this.sweep = setInterval(() => this.expire(), Math.max(20, Math.floor(options.heartbeatMs / 2)));
    this.heartbeat.unref();
    this.sweep.unref();
    void this.follow();
  }

  /** Writes the first heartbeat, reads back its server timestamp, then follows the bucket. */
  static async join(kv: KV, self: MemberInfo, options: MembershipOptions): Promise<Membership> {
    await kv.put(self.processId, JSON.stringify(self));
    const local = performance.now();
    const mine = await kv.get(self.processId).catch(() => null);
    const clock = mine === null ? undefined : { server: mine.created.getTime(), local };
    const watcher = await kv.watch();
    return new Membership(kv, self, options, watcher, clock);
  }

  get processId(): string {
    return this.self.processId;
  }

  /** Live members by process id, this one always included while joined. */
  members(): ReadonlyMap<string, MemberInfo> {
    const live = new Map<string, MemberInfo>();
    const now = performance.now();
    for (const [id, seen] of this.seen) if (now - seen.lastSeen <= this.options.memberTtlMs) live.set(id, seen.info);
    if (!this.left) live.set(this.self.processId, this.self);
    return live;
  }

  /** Ids of the live members that host `type`. */
  hostsOf(type: string): string[] {
    const hosts: string[] = [];
    for (const [id, info] of this.members()) if (info.types.includes(type)) hosts.push(id);
    return hosts;
  }

  /** Announces a new list of hosted types at once. */
  async setTypes(types: readonly string[]): Promise<void> {
    this.self = { ...this.self, types: [...types] };
    this.options.onChange?.();
    await this.beat();
  }

  /** Deletes this process's heartbeat so that the others drop it at once. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sweep);
    this.watcher.stop();
    await this.kv.delete(this.self.processId).catch(() => {});
  }

  private async beat(): Promise<void> {
    if (this.left) return;
    await this.kv.put(this.self.processId, JSON.stringify(this.self));
  }

  /** Follows the bucket; a watch that ends while joined is reported and started again. */
  private async follow(): Promise<void> {
    for (;;) {
      try {
        for await (const entry of this.watcher) this.see(entry);
      } catch (error) {
        if (!this.left) this.options.onError?.(error);
      }
      if (this.left) return;
      this.options.onError?.(new Error(`The watch of the members bucket ended (${this.processId}); watching again`));
      for (let attempt = 0; !this.left; attempt++) {
        try {
          const watcher = await this.kv.watch();
          if (this.left) watcher.stop();
          else this.watcher = watcher;
          break;
        } catch (error) {
          this.options.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(this.options.heartbeatMs * 2 ** attempt, this.options.memberTtlMs)));
        }
      }
      if (this.left) return;
      this.watches++;
    }
  }

  private see(entry: KvWatchEntry): void {
    if (entry.key === this.self.processId) {
      // Our own heartbeat, just written: a fresh reading of the server's clock.
      if (entry.operation === 'PUT' && entry.isUpdate) this.serverClock = { server: entry.created.getTime(), local: performance.now() };
      return;
    }
    if (entry.operation !== 'PUT') {
      if (this.seen.delete(entry.key)) this.options.onChange?.();
      return;
    }
    let info: MemberInfo;
    try {
      info = JSON.parse(entry.string()) as MemberInfo;
    } catch {
      return;
    }
    // An old entry found when the watch starts may be a member that died long ago: date it by
    // the server's timestamps only (ours never meets another machine's clock), then by our own
    // monotonic clock for every heartbeat after it.
    const age = entry.isUpdate ? 0 : this.serverAge(entry.created.getTime());
    const now = performance.now();
    const previous = this.seen.get(entry.key);
    const wasLive = previous !== undefined && now - previous.lastSeen <= this.options.memberTtlMs;
    this.seen.set(entry.key, { info, lastSeen: now - age });
    const typesChanged = previous !== undefined && previous.info.types.join('\u0000') !== info.types.join('\u0000');
    if ((!wasLive || typesChanged) && age < this.options.memberTtlMs) this.options.onChange?.();
  }

  /** How long ago, by the server's clock, it wrote at `created` (0 when not known). */
  private serverAge(created: number): number {
    const clock = this.serverClock;
    if (clock === undefined) return 0; // taken for live, then dropped after a TTL without heartbeats
    return Math.max(0, clock.server + (performance.now() - clock.local) - created);
  }

  private expire(): void {
    const now = performance.now();
    let changed = false;
    for (const [id, seen] of this.seen) {
      if (now - seen.lastSeen > this.options.memberTtlMs) {
        this.seen.delete(id);
        changed = true;
      }
    }
    if (changed) this.options.onChange?.();
  }
}
