import { hostname } from 'node:os';
import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { ClusterNames } from './cluster-names.js';
import type { JetStreamPublisher } from './jetstream-publisher.js';
import { Membership } from './membership.js';
import { PartitionLeases } from './partition-leases.js';
import { rendezvousOwner } from './rendezvous.js';
import { SlotConsumer, type DeliveryOutcome } from './slot-consumer.js';
import { ensureInboxConsumer, resetInboxConsumer, type TopologyOptions } from './topology.js';

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
  readonly handle: (slot: Slot, msg: JsMsg) => Promise<DeliveryOutcome>;
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
  private readonly timings: Required<ClusterTimings>;
  private membership!: Membership;
  private leases!: PartitionLeases;
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

  /** Messages waiting in, or handed out and not yet acked from, the slots this process owns. */
  async backlog(): Promise<number> {
    let total = 0;
    for (const { slot } of this.owned.values()) {
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

  /** Hands every slot over (after its running turns) and leaves the cluster. */
  async stop(): Promise<void> {
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
    this.leases.setDesired(desired);
  }

  private async acquired(key: string, takeover: boolean): Promise<void> {
    const slot = this.slots.get(key);
    if (slot === undefined) throw new Error(`Unknown slot ${key}`);
    const owned: Owned = { slot, consumer: undefined };
    this.owned.set(key, owned);
    const { names } = this.options;
    await this.options.slotAcquiring?.(slot);
    if (takeover) await resetInboxConsumer(this.jsm, names, slot.type, slot.partition, this.topology());
    const consumer = await SlotConsumer.start({
      js: jetstream(this.options.nc),
      stream: names.inboxStream,
      consumer: names.inboxConsumer(slot.type, slot.partition),
      handle: (msg) => this.options.handle(slot, msg),
      mayAct: () => this.leases.isValid(key),
      deadLetter: (msg, reason) => this.deadLetter(slot.type, msg, reason),
      maxDeliveries: this.timings.maxDeliveries,
      redeliveryDelayMs: this.timings.redeliveryDelayMs,
      workingEveryMs: Math.max(100, Math.floor(this.timings.ackWaitMs / 3)),
      onError: this.options.onError,
    });
    if (this.owned.get(key) === owned) owned.consumer = consumer;
    else consumer.stopNow(); // lost while starting
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
    await owned.consumer?.drain();
    try {
      await this.options.slotReleasing(owned.slot);
    } finally {
      this.owned.delete(key);
    }
  }

  /** Stores a copy of a poison message, with why, on the dead-letter subject. */
  private async deadLetter(type: string, msg: JsMsg, reason: string): Promise<void> {
    const h = headers();
    const original = msg.headers;
    if (original !== undefined) {
      for (const name of original.keys()) {
        if (name.toLowerCase() !== 'nats-msg-id') for (const value of original.values(name)) h.append(name, value);
      }
    }
    h.set('ao-dead-subject', msg.subject);
    h.set('ao-dead-reason', reason.slice(0, 1000));
    h.set('ao-dead-deliveries', String(msg.info.deliveryCount));
    const id = `dlq-${msg.info.stream}-${msg.seq}`;
    await this.options.publisher.publish(this.options.names.deadLetterSubject(type), msg.data, h, id, 10_000);
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
