import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import {
  DuplicateSubscriptionError,
  TypePrefixSubscription,
  TypeSubscription,
  UnknownSubscriptionError,
  type SubscriptionManager,
} from '@agentopera/subscriptions';
import { AgentOperaError, describeValue, type AgentId, type MessageChannel, type Subscription } from '@agentopera/types';
import { retryRequest } from '../cluster/retry.js';
import { encodeToken } from '../subject-codec.js';

interface SubscriptionRecord {
  readonly kind: 'type' | 'prefix';
  readonly topic: string;
  readonly agentType: string;
  readonly id: string;
  /** The process that made it. */
  readonly by: string;
}

/** A subscription of a kind that cannot be described to other processes. */
export class UnsharableSubscriptionError extends TypeError {
  override readonly name: string = 'UnsharableSubscriptionError';
  readonly code: string = 'UNSHARABLE_SUBSCRIPTION';
}

/** This process's mirror of the cluster's subscriptions did not catch up in time. */
export class SubscriptionsNotCurrentError extends AgentOperaError {
  override readonly name: string = 'SubscriptionsNotCurrentError';
  override readonly code: string = 'SUBSCRIPTIONS_NOT_CURRENT';
}

/** How long a caller waits for the mirror to reach a revision (as long as `check` retries). */
const DEFAULT_WAIT_MS = 30_000;

/**
 * Subscriptions shared by a whole cluster: each lives in a KV bucket (key: its id), and every
 * process mirrors the bucket into its own `SubscriptionManager` by watching it. `subscribe` and
 * `unsubscribe` resolve once this process's mirror shows the change; `fresh()` waits until the
 * mirror holds everything the bucket held when it was called, so a publish made after a
 * `subscribe` resolved anywhere reaches that subscription. Every wait is bounded
 * (`SubscriptionsNotCurrentError`), and a watch that ends while open is reported and started
 * again from the revision after the last one applied.
 */
export class ClusterSubscriptions {
  /** The bucket revision the mirror has applied. */
  private applied = 0;
  private readonly waiters = new Set<{ revision: number; wake: () => void }>();
  private closed = false;
  private reportError: (error: unknown) => void = () => {};
  /** Watches started (the first, and each restart after one ended): for diagnostics and tests. */
  watches = 1;

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly streamName: string,
    private readonly manager: SubscriptionManager,
    private watcher: QueuedIterator<KvWatchEntry>,
    private readonly processId: string,
    private readonly waitMs: number,
  ) {
    void this.follow();
  }

  static async open(
    kv: KV,
    jsm: JetStreamManager,
    bucket: string,
    manager: SubscriptionManager,
    processId: string,
    options: { readonly waitMs?: number } = {},
  ): Promise<ClusterSubscriptions> {
    return new ClusterSubscriptions(kv, jsm, `KV_${bucket}`, manager, await kv.watch(), processId, options.waitMs ?? DEFAULT_WAIT_MS);
  }

  /** Where a watch that ended (and each failed restart) is reported: the engine's event log. */
  onError(listener: (error: unknown) => void): void {
    this.reportError = listener;
  }

  /**
   * Adds `subscription` for the whole cluster. A duplicate of one this process made is an error,
   * as in the local engine; one equal to a subscription another process made is already in force
   * (every process of a cluster runs the same registrations) and resolves at once.
   */
  async subscribe(subscription: Subscription): Promise<void> {
    const record = describe(subscription, this.processId);
    await this.fresh();
    for (const existing of this.manager.subscriptions) {
      if (!existing.equals(subscription) && !subscription.equals(existing)) continue;
      if (this.byId.get(existing.id) !== this.processId) return;
      throw new DuplicateSubscriptionError(subscription, existing);
    }
    let revision: number;
    try {
      revision = await this.kv.create(encodeToken(record.id), JSON.stringify(record));
    } catch (error) {
      // Another process added the same id meanwhile.
      await this.fresh();
      const existing = this.manager.subscriptions.find((other) => other.equals(subscription));
      if (existing !== undefined && this.byId.get(existing.id) !== this.processId) return;
      if (existing !== undefined) throw new DuplicateSubscriptionError(subscription, existing);
      throw error;
    }
    await this.reach(revision);
  }

  async unsubscribe(id: string): Promise<void> {
    if (typeof id !== 'string') throw new TypeError(`unsubscribe needs a subscription id, got ${describeValue(id)}`);
    await this.fresh();
    if (!this.manager.subscriptions.some((subscription) => subscription.id === id)) throw new UnknownSubscriptionError(id);
    await this.kv.delete(encodeToken(id));
    await this.fresh();
  }

  /** The recipients of a publish on `channel`, from a mirror at least as new as the call. */
  async recipients(channel: MessageChannel): Promise<readonly AgentId[]> {
    await this.fresh();
    return this.manager.getSubscribedRecipients(channel);
  }

  /**
   * Waits until the mirror has applied every change stored before this call. Concurrent callers
   * share checks of the bucket's last revision (one request each): a check that began before a
   * caller cannot serve it, so callers arriving during a check share the next one.
   */
  fresh(): Promise<void> {
    if (this.next !== undefined) return this.next;
    if (this.running === undefined) return this.runCheck();
    this.next = this.running
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return this.runCheck();
      });
    return this.next;
  }

  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  private runCheck(): Promise<void> {
    const check = this.check().finally(() => {
      if (this.running === check) this.running = undefined;
    });
    this.running = check;
    return check;
  }

  private async check(): Promise<void> {
    const info = await retryRequest(() => this.jsm.streams.info(this.streamName), 30_000);
    await this.reach(info.state.last_seq);
  }

  close(): void {
    this.closed = true;
    this.watcher.stop();
    for (const waiter of this.waiters) waiter.wake();
    this.waiters.clear();
  }

  private reach(revision: number): Promise<void> {
    if (this.applied >= revision || this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        revision,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new SubscriptionsNotCurrentError(
            `The subscriptions mirror of ${this.processId} did not reach revision ${revision} of ${this.streamName} within ${this.waitMs} ms (it is at ${this.applied})`,
          ),
        );
      }, this.waitMs);
      this.waiters.add(waiter);
    });
  }

  /** Applies the watch's entries; when a watch ends while open, reports it and watches again. */
  private async follow(): Promise<void> {
    for (let restarts = 0; ; restarts++) {
      try {
        for await (const entry of this.watcher) await this.applyEntry(entry);
      } catch (error) {
        if (!this.closed) this.reportError(error);
      }
      if (this.closed) return;
      this.reportError(new SubscriptionsNotCurrentError(`The watch of ${this.streamName} ended at revision ${this.applied}; watching again from there`));
      const watcher = await this.rewatch();
      if (watcher === undefined) return;
      if (this.closed) {
        watcher.stop();
        return;
      }
      this.watcher = watcher;
      this.watches++;
    }
  }

  /** A new watch from the revision after the last applied, retried with back-off until it starts. */
  private async rewatch(): Promise<QueuedIterator<KvWatchEntry> | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.kv.watch({ resumeFromRevision: this.applied + 1 });
      } catch (error) {
        if (this.closed) return undefined;
        this.reportError(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
      }
    }
  }

  private async applyEntry(entry: KvWatchEntry): Promise<void> {
    if (entry.revision <= this.applied) return; // replayed by a restarted watch
    try {
      await this.apply(entry);
    } catch {
      // A record another process wrote that this one cannot apply (a duplicate it lost a race
      // with): ignored here; the writer heard of it.
    }
    this.applied = entry.revision;
    for (const waiter of this.waiters) {
      if (waiter.revision > this.applied) continue;
      this.waiters.delete(waiter);
      waiter.wake();
    }
  }

  private async apply(entry: KvWatchEntry): Promise<void> {
    if (entry.operation !== 'PUT') {
      const id = this.idsByKey.get(entry.key);
      if (id !== undefined) {
        this.idsByKey.delete(entry.key);
        this.byId.delete(id);
        await this.manager.unsubscribe(id);
      }
      return;
    }
    const record = JSON.parse(entry.string()) as SubscriptionRecord;
    const subscription =
      record.kind === 'prefix'
        ? new TypePrefixSubscription(record.topic, record.agentType, record.id)
        : new TypeSubscription(record.topic, record.agentType, record.id);
    this.idsByKey.set(entry.key, record.id);
    this.byId.set(record.id, String(record.by));
    await this.manager.subscribe(subscription);
  }

  private readonly idsByKey = new Map<string, string>();
  /** Which process made each subscription, by id. */
  private readonly byId = new Map<string, string>();
}

/** A `TypeSubscription` (a `DefaultSubscription` too) or `TypePrefixSubscription` as a record. */
function describe(subscription: Subscription, by: string): SubscriptionRecord {
  const candidate = subscription as Partial<TypeSubscription & TypePrefixSubscription>;
  if (subscription instanceof TypePrefixSubscription && typeof candidate.topicTypePrefix === 'string') {
    return { kind: 'prefix', topic: candidate.topicTypePrefix, agentType: subscription.agentType, id: subscription.id, by };
  }
  if (subscription instanceof TypeSubscription && typeof candidate.topicType === 'string') {
    return { kind: 'type', topic: candidate.topicType, agentType: subscription.agentType, id: subscription.id, by };
  }
  throw new UnsharableSubscriptionError(
    `A NATS cluster shares subscriptions between processes, which works for TypeSubscription, DefaultSubscription and ` +
      `TypePrefixSubscription; ${describeValue(subscription)} is none of them`,
  );
}
