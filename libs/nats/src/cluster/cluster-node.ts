import { hostname } from 'node:os';
import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { isInfrastructureError } from '../jetstream-errors.js';
import type { ClusterNames } from './cluster-names.js';
import type { JetStreamPublisher } from './jetstream-publisher.js';
import { Membership } from './membership.js';
import { PartitionLeases } from './partition-leases.js';
import { rendezvousOwner } from './rendezvous.js';
import { FAILURES_HEADER, SlotConsumer, type DeliveryOutcome } from './slot-consumer.js';
import { ensureInboxConsumer, prepareInboxConsumer, type TopologyOptions } from './topology.js';

/** Timings of a cluster; every process of one cluster should use the same. */
export interface ClusterTimings {
  /** A partition whose owner stopped renewing its lease for this long moves. Default 6 s. */
  readonly leaseTtlMs?: number;
  /** Heartbeat period of a process. Default 1 s. */
  readonly heartbeatMs?: number;
  /** A process not heard from for this long is taken for dead. Default 4 s. */
  readonly memberTtlMs?: number;
  /** Redelivery of an unacknowledged message when nobody works on it. Default 10 s. */
  readonly ackWaitMs?: number;
  /** Deliveries before a failing message goes to the dead-letter subject. Default 5. */
  readonly maxDeliveries?: number;
  /** Base of the back-off between deliveries of a failing message. Default 200 ms. */
  readonly redeliveryDelayMs?: number;
  /**
   * How long handing a slot over waits for its running handlers; then it is given up without their
   * acks (the next owner handles those messages again) and the stuck handlers are reported. Default 30 s.
   */
  readonly drainTimeoutMs?: number;
}

/** One (type, partition): the unit a process owns. */
export interface Slot {
  readonly type: string;
  readonly partition: number;
}

export interface ClusterNodeOptions extends TopologyOptions {
  readonly nc: NatsConnection;
  readonly names: ClusterNames;
  readonly processId: string;
  readonly partitions: number;
  readonly timings?: ClusterTimings;
  readonly publisher: JetStreamPublisher;
  /** Handles one agent-bound message of a slot this process owns. */
  readonly handle: (slot: Slot, msg: JsMsg, ackFloor: number) => Promise<DeliveryOutcome>;
  /** Ownership of the slot is gone: forget its agents at once (no saves, no acks). */
  readonly slotLost: (slot: Slot) => void;
  /** Giving the slot up: its running turns have finished; deactivate its agents (saving state). */
  readonly slotReleasing: (slot: Slot) => Promise<void>;
  /** The slot is ours again: resolve once whatever remains of an earlier ownership is gone. */
  readonly slotAcquiring?: (slot: Slot) => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

interface Owned {
  readonly slot: Slot;
  consumer: SlotConsumer | undefined;
}

/**
 * One process in a cluster: its heartbeat, the slots it should own by rendezvous hashing over the
 * live members hosting each type, the leases on them, and a `SlotConsumer` per owned slot. A
 * member that joins or leaves moves only the slots it wins or held; a clean `stop()` hands each
 * slot over after its running turns finish.
 */
export class ClusterNode {
  private readonly hosted = new Set<string>();
  private readonly slots = new Map<string, Slot>();
  private readonly owned = new Map<string, Owned>();
  /** The slots rendezvous hashing gave this process at the last rebalance. */
  private desired: readonly string[] = [];
  private readonly timings: Required<ClusterTimings>;
  private membership!: Membership;
  private leases!: PartitionLeases;
  /** The signal of `stop()`, which bounds the wait for running turns before each hand-over. */
  private stopSignal: AbortSignal | undefined;
  private jsm!: JetStreamManager;

  private constructor(private readonly options: ClusterNodeOptions) {
    const t = options.timings ?? {};
    this.timings = {
      leaseTtlMs: t.leaseTtlMs ?? 6000,
      heartbeatMs: t.heartbeatMs ?? 1000,
      memberTtlMs: t.memberTtlMs ?? 4000,
      ackWaitMs: t.ackWaitMs ?? 10_000,
      maxDeliveries: t.maxDeliveries ?? 5,
      redeliveryDelayMs: t.redeliveryDelayMs ?? 200,
      drainTimeoutMs: t.drainTimeoutMs ?? 30_000,
    };
  }

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    const { nc, names } = options;
    const kvm = new Kvm(nc);
    const membersKv = await kvm.create(names.membersBucket, { history: 1, ttl: node.timings.memberTtlMs * 10, replicas: options.replicas ?? 1 });
    const leasesKv = await kvm.create(names.leasesBucket, { history: 1, replicas: options.replicas ?? 1 });
    node.jsm = await jetstreamManager(nc);
    node.leases = await PartitionLeases.start(leasesKv, options.processId, { ttlMs: node.timings.leaseTtlMs }, {
      acquired: (key, takeover) => node.acquired(key, takeover),
      lost: (key) => node.lost(key),
      release: (key) => node.release(key),
      onError: options.onError,
    });
    node.membership = await node.join(membersKv);
    node.rebalance();
    return node;
  }

  get processId(): string {
    return this.options.processId;
  }

  /** Live members of the cluster by process id, with the types each hosts. */
  members(): ReadonlyMap<string, { readonly types: readonly string[] }> {
    return this.membership.members();
  }

  /** Starts hosting `type`: its consumers exist, the others learn it, slots are claimed. */
  async host(type: string): Promise<void> {
    if (this.hosted.has(type)) return;
    for (let partition = 0; partition < this.options.partitions; partition++) {
      await ensureInboxConsumer(this.jsm, this.options.names, type, partition, this.topology());
      this.slots.set(this.options.names.slotKey(type, partition), { type, partition });
    }
    this.hosted.add(type);
    await this.membership.setTypes([...this.hosted]);
  }

  /** Whether this process may act on (handle, commit, ack) messages of the slot now. */
  mayAct(slot: Slot): boolean {
    return this.leases.isValid(this.options.names.slotKey(slot.type, slot.partition));
  }

  /**
   * Messages waiting in, or handed out and not yet acked from, the slots this process owns or
   * should own (rendezvous hashing gives them to it; their leases may not be taken yet): so a
   * process that has just started is not idle while the messages it is about to own wait.
   */
  async backlog(): Promise<number> {
    let total = 0;
    const slots = new Map<string, Slot>([...this.desired].flatMap((key) => {
      const slot = this.slots.get(key);
      return slot === undefined ? [] : [[key, slot] as const];
    }));
    for (const [key, { slot }] of this.owned) slots.set(key, slot);
    for (const slot of slots.values()) {
      const info = await this.jsm.consumers.info(this.options.names.inboxStream, this.options.names.inboxConsumer(slot.type, slot.partition));
      total += info.num_pending + info.num_ack_pending;
    }
    return total;
  }

  get partitions(): number {
    return this.options.partitions;
  }

  ownedSlots(): Slot[] {
    return [...this.owned.values()].map((owned) => owned.slot);
  }

  /**
   * Hands every slot over (after its running turns) and leaves the cluster. When `signal` aborts,
   * the slots whose turns still run are dropped as lost instead: their messages go to the next owner.
   */
  async stop(signal?: AbortSignal): Promise<void> {
    this.stopSignal = signal;
    await this.leases.stop();
    await this.membership.leave();
  }

  /** Stops acting at once without handing anything over: for tests of what a crash leaves behind. */
  abandon(): void {
    this.leases.abandon();
    void this.membership.leave();
  }

  private async join(kv: KV): Promise<Membership> {
    return Membership.join(
      kv,
      { processId: this.options.processId, types: [], host: hostname(), pid: process.pid },
      {
        heartbeatMs: this.timings.heartbeatMs,
        memberTtlMs: this.timings.memberTtlMs,
        onChange: () => this.rebalance(),
        onError: this.options.onError,
      },
    );
  }

  /** The slots rendezvous hashing gives this process now. */
  private rebalance(): void {
    if (this.membership === undefined) return;
    const desired: string[] = [];
    const hostsByType = new Map<string, string[]>();
    for (const [key, slot] of this.slots) {
      let hosts = hostsByType.get(slot.type);
      if (hosts === undefined) hostsByType.set(slot.type, (hosts = this.membership.hostsOf(slot.type)));
      if (rendezvousOwner(key, hosts) === this.options.processId) desired.push(key);
    }
    this.desired = desired;
    this.leases.setDesired(desired);
  }

  /**
   * The lease is ours. Whether it was taken over or found free, the consumer is made ready by its
   * state (`prepareInboxConsumer`), not by how the lease was won: a takeover that failed half-way
   * and dropped its lease leaves a consumer that the next acquisition repairs. Ownership is checked
   * after every await, so an acquisition that lost its lease meanwhile never touches the consumer
   * of the slot's new owner.
   */
  private async acquired(key: string, _takeover: boolean): Promise<void> {
    const slot = this.slots.get(key);
    if (slot === undefined) throw new Error(`Unknown slot ${key}`);
    const owned: Owned = { slot, consumer: undefined };
    this.owned.set(key, owned);
    const current = (): boolean => this.owned.get(key) === owned && this.leases.isValid(key);
    await this.options.slotAcquiring?.(slot);
    if (!current()) return;
    const consumer = await this.whileInfrastructureFails(current, async () => {
      if (!(await prepareInboxConsumer(this.jsm, this.options.nc, this.options.names, slot.type, slot.partition, this.topology(), current))) return undefined;
      return this.consume(key, slot);
    });
    if (consumer === undefined) return;
    if (current()) owned.consumer = consumer;
    else consumer.stopNow(); // lost while starting
  }

  private consume(key: string, slot: Slot): Promise<SlotConsumer> {
    const { names } = this.options;
    return SlotConsumer.start({
      js: jetstream(this.options.nc),
      stream: names.inboxStream,
      consumer: names.inboxConsumer(slot.type, slot.partition),
      handle: (msg, ackFloor) => this.options.handle(slot, msg, ackFloor),
      mayAct: () => this.leases.isValid(key),
      recreate: () => ensureInboxConsumer(this.jsm, names, slot.type, slot.partition, this.topology()).then(() => {}),
      deadLetter: (msg, reason, failures) => this.deadLetter(slot.type, msg, reason, failures),
      requeue: (msg, failures) => this.requeue(msg, failures),
      maxDeliveries: this.timings.maxDeliveries,
      redeliveryDelayMs: this.timings.redeliveryDelayMs,
      workingEveryMs: Math.max(100, Math.floor(this.timings.ackWaitMs / 3)),
      // Shorter than the time a takeover takes after the owner's last pull (two thirds of the TTL
      // at least): a paused owner's pull requests have expired when the new owner hands the
      // deliveries back, so they go to the new owner, not into the paused process.
      pullExpiresMs: Math.min(5000, Math.max(1000, Math.floor(this.timings.leaseTtlMs / 2))),
      onError: this.options.onError,
    });
  }

  /**
   * Runs `step` again after an infrastructure failure (the meta group or a stream electing a
   * leader) while the lease is ours, for up to `ACQUIRE_RETRY_MS`; then the failure drops the lease
   * and a later round tries again. Resolves undefined once the lease is gone.
   */
  private async whileInfrastructureFails<T>(current: () => boolean, step: () => Promise<T | undefined>): Promise<T | undefined> {
    const deadline = performance.now() + ACQUIRE_RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (!current()) return undefined;
        if (!isInfrastructureError(error) || performance.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
      if (!current()) return undefined;
    }
  }

  private lost(key: string): void {
    const owned = this.owned.get(key);
    if (owned === undefined) return;
    this.owned.delete(key);
    owned.consumer?.stopNow();
    this.options.slotLost(owned.slot);
  }

  private async release(key: string): Promise<void> {
    const owned = this.owned.get(key);
    if (owned === undefined) return;
    if (owned.consumer !== undefined && !(await owned.consumer.drain(this.timings.drainTimeoutMs, this.stopSignal))) {
      // A handler is stuck (or the stop's signal aborted): its agents are dropped unsaved, as for a lost slot, and not waited for.
      this.owned.delete(key);
      this.options.slotLost(owned.slot);
      return;
    }
    try {
      await this.options.slotReleasing(owned.slot);
    } finally {
      this.owned.delete(key);
    }
  }

  /** Stores a copy of a poison message, with why, on the dead-letter subject. */
  private async deadLetter(type: string, msg: JsMsg, reason: string, failures: number): Promise<void> {
    const h = copyHeaders(msg);
    h.set('ao-dead-subject', msg.subject);
    h.set('ao-dead-reason', reason.slice(0, 1000));
    h.set('ao-dead-deliveries', String(failures));
    const id = `dlq-${msg.info.stream}-${msg.seq}`;
    await this.options.publisher.publish(this.options.names.deadLetterSubject(type), msg.data, h, id, 10_000);
  }

  /**
   * Stores a copy of a message whose handler failed, counting the failure: the count lives in the
   * stream, so it survives a move of the slot. Its id derives from the first copy's id and the
   * count, so storing it twice (the ack of the original lost) keeps one.
   */
  private async requeue(msg: JsMsg, failures: number): Promise<void> {
    const h = copyHeaders(msg);
    const origin = msg.headers?.get(ORIGIN_HEADER) || msg.headers?.get(MSG_ID_HEADER) || `${msg.info.stream}-${msg.seq}`;
    h.set(ORIGIN_HEADER, origin);
    h.set(FAILURES_HEADER, String(failures));
    await this.options.publisher.publish(msg.subject, msg.data, h, `${origin}~f${failures}`, 10_000);
  }

  private topology(): TopologyOptions {
    return {
      replicas: this.options.replicas,
      duplicateWindowMs: this.options.duplicateWindowMs,
      ackWaitMs: this.timings.ackWaitMs,
      maxAckPending: this.options.maxAckPending,
    };
  }
}

const MSG_ID_HEADER = 'Nats-Msg-Id';
/** The `Nats-Msg-Id` of a re-queued message's first copy. */
const ORIGIN_HEADER = 'ao-origin-id';
/** How long an acquisition retries infrastructure failures before dropping the lease. */
const ACQUIRE_RETRY_MS = 30_000;

/** A message's headers without its `Nats-Msg-Id` (a copy gets its own) or its failure count. */
function copyHeaders(msg: JsMsg): MsgHdrs {
  const h = headers();
  const original = msg.headers;
  if (original === undefined) return h;
  for (const name of original.keys()) {
    const lower = name.toLowerCase();
    if (lower === 'nats-msg-id' || lower === FAILURES_HEADER) continue;
    for (const value of original.values(name)) h.append(name, value);
  }
  return h;
}
