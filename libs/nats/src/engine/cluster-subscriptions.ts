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
import { describeValue, type AgentId, type MessageChannel, type Subscription } from '@agentopera/types';
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

/**
 * Subscriptions shared by a whole cluster: each lives in a KV bucket (key: its id), and every
 * process mirrors the bucket into its own `SubscriptionManager` by watching it. `subscribe` and
 * `unsubscribe` resolve once this process's mirror shows the change; `fresh()` waits until the
 * mirror holds everything the bucket held when it was called, so a publish made after a
 * `subscribe` resolved anywhere reaches that subscription.
 */
export class ClusterSubscriptions {
  /** The bucket revision the mirror has applied. */
  private applied = 0;
  private readonly waiters: { revision: number; wake: () => void }[] = [];

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly streamName: string,
    private readonly manager: SubscriptionManager,
    private readonly watcher: QueuedIterator<KvWatchEntry>,
    private readonly processId: string,
  ) {
    void this.follow();
  }

  static async open(kv: KV, jsm: JetStreamManager, bucket: string, manager: SubscriptionManager, processId: string): Promise<ClusterSubscriptions> {
    return new ClusterSubscriptions(kv, jsm, `KV_${bucket}`, manager, await kv.watch(), processId);
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
    this.watcher.stop();
    for (const waiter of this.waiters.splice(0)) waiter.wake();
  }

  private reach(revision: number): Promise<void> {
    if (this.applied >= revision) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ revision, wake }));
  }

  private async follow(): Promise<void> {
    for await (const entry of this.watcher) {
      try {
        await this.apply(entry);
      } catch {
        // A record another process wrote that this one cannot apply (a duplicate it lost a race
        // with): ignored here; the writer heard of it.
      }
      this.applied = Math.max(this.applied, entry.revision);
      const ready = this.waiters.filter((waiter) => waiter.revision <= this.applied);
      if (ready.length > 0) {
        this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((waiter) => waiter.revision > this.applied));
        for (const waiter of ready) waiter.wake();
      }
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
