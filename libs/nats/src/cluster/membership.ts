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
}

interface Seen {
  info: MemberInfo;
  lastSeen: number;
}

/**
 * Membership by heartbeats in a KV bucket: each process puts its `MemberInfo` under its id every
 * `heartbeatMs` and watches the bucket. A member is live while its heartbeats keep coming, judged
 * on this process's own monotonic clock (never by comparing clocks of two machines); a member
 * that leaves cleanly deletes its key and drops out at once.
 */
export class Membership {
  private readonly seen = new Map<string, Seen>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly sweep: ReturnType<typeof setInterval>;
  private self: MemberInfo;
  private left = false;

  private constructor(
    private readonly kv: KV,
    self: MemberInfo,
    private readonly options: MembershipOptions,
    private readonly watcher: QueuedIterator<KvWatchEntry>,
  ) {
    this.self = self;
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), options.heartbeatMs);
    this.sweep = setInterval(() => this.expire(), Math.max(20, Math.floor(options.heartbeatMs / 2)));
    this.heartbeat.unref();
    this.sweep.unref();
    void this.follow();
  }

  /** Writes the first heartbeat, then follows the bucket. */
  static async join(kv: KV, self: MemberInfo, options: MembershipOptions): Promise<Membership> {
    await kv.put(self.processId, JSON.stringify(self));
    const watcher = await kv.watch();
    return new Membership(kv, self, options, watcher);
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

  private async follow(): Promise<void> {
    for await (const entry of this.watcher) {
      if (entry.key === this.self.processId) continue;
      if (entry.operation !== 'PUT') {
        if (this.seen.delete(entry.key)) this.options.onChange?.();
        continue;
      }
      let info: MemberInfo;
      try {
        info = JSON.parse(entry.string()) as MemberInfo;
      } catch {
        continue;
      }
      // An old entry found when the watch starts may be a member that died long ago: date it
      // by the server's timestamp, then by our own clock for every heartbeat after it.
      const age = entry.isUpdate ? 0 : Math.max(0, Date.now() - entry.created.getTime());
      const now = performance.now();
      const previous = this.seen.get(entry.key);
      const wasLive = previous !== undefined && now - previous.lastSeen <= this.options.memberTtlMs;
      this.seen.set(entry.key, { info, lastSeen: now - age });
      const typesChanged = previous !== undefined && previous.info.types.join('\u0000') !== info.types.join('\u0000');
      if ((!wasLive || typesChanged) && age < this.options.memberTtlMs) this.options.onChange?.();
    }
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
