import type { JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Activation } from '@agentopera/engine';
import type { AgentId } from '@agentopera/types';
import type { ClusterNames } from '../cluster/cluster-names.js';
import { ClusterNode, type ClusterTimings, type Slot } from '../cluster/cluster-node.js';
import type { JetStreamPublisher } from '../cluster/jetstream-publisher.js';
import type { DeliveryOutcome } from '../cluster/slot-consumer.js';
import { partitionOf } from '../partition.js';

export interface HostingParts {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly names: ClusterNames;
  readonly processId: string;
  readonly partitions: number;
  readonly timings: ClusterTimings | undefined;
  readonly replicas: number | undefined;
  readonly publisher: JetStreamPublisher;
  readonly handle: (msg: JsMsg, ackFloor: number) => Promise<DeliveryOutcome>;
  /** The live agents of a slot (`type/partition`) in this process. */
  readonly agentsOf: (slot: string) => Activation[];
  readonly deactivate: (id: AgentId) => Promise<boolean>;
  /** Refuses every later save of the agent's current instance (see `FencedStateStore.fenceOff`). */
  readonly fenceOff: (id: AgentId) => void;
  readonly onError: (error: unknown) => void;
}

/**
 * This process's share of the cluster while the engine runs: a `ClusterNode` that claims
 * partitions of the hosted types and feeds their messages to the engine, and what happens to the
 * agents of a partition when it leaves: deactivated with their state saved when it is handed over,
 * dropped (their saves refused by the fence) when it is lost.
 */
export class Hosting {
  private node: ClusterNode | undefined;

  constructor(private readonly parts: HostingParts) {}

  get partitions(): number {
    return this.parts.partitions;
  }

  async start(types: readonly string[]): Promise<void> {
    const { parts } = this;
    this.node = await ClusterNode.start({
      nc: parts.nc,
      names: parts.names,
      processId: parts.processId,
      partitions: parts.partitions,
      timings: parts.timings,
      replicas: parts.replicas,
      publisher: parts.publisher,
      handle: (_slot, msg, ackFloor) => parts.handle(msg, ackFloor),
      slotLost: (slot) => this.lost(slot),
      slotReleasing: (slot) => this.deactivateAll(slot),
      slotAcquiring: (slot) => this.leaving.get(key(slot)) ?? Promise.resolve(),
      onError: parts.onError,
    });
    for (const type of types) await this.host(type);
  }

  async host(type: string): Promise<void> {
    await this.node?.host(type);
  }

  /** Hands every partition over; the node answers `owns` until each one is released. */
  async stop(signal?: AbortSignal): Promise<void> {
    const node = this.node;
    await node?.stop(signal);
    if (this.node === node) this.node = undefined;
  }

  /** Whether this process owns the partition now (and may handle, save and ack for it). */
  owns(type: string, partition: number): boolean {
    return this.node?.mayAct({ type, partition }) ?? false;
  }

  /** The partition an agent's id falls in. */
  partitionOf(id: AgentId): number {
    return partitionOf(id.type, id.key, this.parts.partitions);
  }

  /** The slot (`type/partition`) an agent's id falls in. */
  slotOf(id: AgentId): string {
    return `${id.type}/${this.partitionOf(id)}`;
  }

  /** Whether this process owns the partition of `id` now. */
  ownsAgent(id: AgentId): boolean {
    return this.owns(id.type, this.partitionOf(id));
  }

  ownedSlots(): string[] {
    return (this.node?.ownedSlots() ?? []).map((slot) => `${slot.type}/${slot.partition}`);
  }

  /** Whether nothing waits in, or is out from, this process's partitions. */
  async idle(): Promise<boolean> {
    return (await this.node?.backlog().catch(() => 1)) === 0;
  }

  /**
   * A lost partition: its instances may hold uncommitted changes, so none may save again, and
   * they are dropped before the partition is consumed again (should it come back).
   */
  private lost(slot: Slot): void {
    for (const activation of this.parts.agentsOf(key(slot))) this.parts.fenceOff(activation.id);
    const leaving = this.deactivateAll(slot).finally(() => {
      if (this.leaving.get(key(slot)) === leaving) this.leaving.delete(key(slot));
    });
    this.leaving.set(key(slot), leaving);
  }

  private readonly leaving = new Map<string, Promise<void>>();

  private async deactivateAll(slot: Slot): Promise<void> {
    const agents = this.parts.agentsOf(key(slot));
    const results = await Promise.allSettled(agents.map((activation) => this.parts.deactivate(activation.id)));
    for (const result of results) if (result.status === 'rejected') this.parts.onError(result.reason);
  }
}

function key(slot: Slot): string {
  return `${slot.type}/${slot.partition}`;
}
