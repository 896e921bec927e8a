import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DefaultSerializationRegistry, type SerializationRegistry } from '@agentopera/serialization';
import type { StateStore } from '@agentopera/state';
import { DefaultSubscriptionManager } from '@agentopera/subscriptions';
import { ClusterNames } from '../cluster/cluster-names.js';
import { JetStreamPublisher } from '../cluster/jetstream-publisher.js';
import { ReplyRouter } from '../cluster/reply-router.js';
import { retryRequest } from '../cluster/retry.js';
import { ensureStreams } from '../cluster/topology.js';
import { NatsKvStateStore } from '../state/nats-kv-state-store.js';
import { ClusterSubscriptions } from './cluster-subscriptions.js';
import { parseNatsOptions, type NatsAgentEngineOptions } from './nats-engine-options.js';
import { TypeRegistry } from './type-registry.js';

/** What an engine process needs from NATS before it can build its engine. */
export interface EngineParts {
  readonly nc: NatsConnection;
  /** Whether the engine opened the connection (and so closes it). */
  readonly ownsConnection: boolean;
  readonly processId: string;
  readonly names: ClusterNames;
  readonly jsm: JetStreamManager;
  readonly types: TypeRegistry;
  readonly subscriptions: ClusterSubscriptions;
  readonly publisher: JetStreamPublisher;
  readonly replies: ReplyRouter;
  readonly stateStore: StateStore;
  readonly registry: SerializationRegistry;
  /** Undoes what was opened, for a construction that fails half-way. */
  release(): Promise<void>;
}

/**
 * Connects (or adopts the given connection), creates the cluster's streams and buckets when they
 * are missing, and opens this process's subscriptions: PubAcks, replies, the shared subscriptions.
 */
export async function openEngineParts(options: NatsAgentEngineOptions): Promise<EngineParts> {
  const parsed = parseNatsOptions(options);
  const names = new ClusterNames(parsed.cluster);
  const ownsConnection = options.connection === undefined;
  const nc =
    options.connection ?? (await connect({ maxReconnectAttempts: -1, reconnectTimeWait: 250, ...options.connectionOptions, servers: options.servers }));
  try {
    const processId = `${sanitize(options.processName ?? 'p')}-${randomBytes(5).toString('hex')}`;
    // Each step is idempotent, and a busy or electing cluster can take longer than one request's
    // timeout to create a replicated stream: each is tried again within a shared bound.
    const deadline = Date.now() + SETUP_WITHIN_MS;
    const step = <T>(request: () => Promise<T>): Promise<T> => retryRequest(request, Math.max(0, deadline - Date.now()));
    const jsm = await step(() => jetstreamManager(nc, { timeout: 2000 }));
    const replicas = options.replicas ?? 1;
    await step(() => ensureStreams(jsm, names, { replicas, ackWaitMs: options.timings?.ackWaitMs }));
    const kvm = new Kvm(nc);
    const types = new TypeRegistry(await step(() => kvm.create(names.typesBucket, { history: 1, replicas })));
    const subsKv = await step(() => kvm.create(names.subscriptionsBucket, { history: 1, replicas }));
    const manager = options.subscriptionManager ?? new DefaultSubscriptionManager();
    const subscriptions = await step(() => ClusterSubscriptions.open(subsKv, jsm, names.subscriptionsBucket, manager, processId));
    const stateStore = options.stateStore ?? (await step(() => NatsKvStateStore.open(nc, { bucket: names.stateBucket, replicas })));
    const publisher = JetStreamPublisher.start(nc, names.pubAckWildcard(processId).slice(0, -2));
    const replies = ReplyRouter.start(nc, names.replyWildcard(processId).slice(0, -2));
    const registry = options.serializationRegistry ?? new DefaultSerializationRegistry();
    const release = async (): Promise<void> => {
      subscriptions.close();
      publisher.close();
      replies.close(new Error('closed'));
      if (ownsConnection) await nc.close().catch(() => {});
    };
    return { nc, ownsConnection, processId, names, jsm, types, subscriptions, publisher, replies, stateStore, registry, release };
  } catch (error) {
    if (ownsConnection) await nc.close().catch(() => {});
    throw error;
  }
}

/** How long `connect` keeps trying to create the cluster's streams and buckets on a slow or electing broker. */
const SETUP_WITHIN_MS = 30_000;

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32) || 'p';
}
