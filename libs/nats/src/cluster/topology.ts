import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { isConsumerNotFound } from '../jetstream-errors.js';
import type { ClusterNames } from './cluster-names.js';

export interface TopologyOptions {
  /** Stream replicas on a clustered JetStream (1, 3 or 5). Default 1. */
  readonly replicas?: number;
  /** How long the server remembers `Nats-Msg-Id`s to drop duplicates. Default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Redelivery after this long without an ack or a `working()` beat. Default 10 s. */
  readonly ackWaitMs?: number;
  /** Unacknowledged messages a consumer hands out at once. Default 1000. */
  readonly maxAckPending?: number;
  /** How long dead letters are kept. Default 7 days. */
  readonly deadLetterMaxAgeMs?: number;
}

const STREAM_NAME_IN_USE = 10058;

/**
 * Creates the streams of a cluster: the inbox work queue and the dead letters (idempotent; a
 * second process finds them in place and brings their settings to ours).
 */
export async function ensureStreams(jsm: JetStreamManager, names: ClusterNames, options: TopologyOptions = {}): Promise<void> {
  const replicas = options.replicas ?? 1;
  const duplicateWindow = nanos(options.duplicateWindowMs ?? 120_000);
  await ensureStream(jsm, {
    name: names.inboxStream,
    subjects: [`${names.prefix}.in.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: duplicateWindow,
  });
  await ensureStream(jsm, {
    name: names.deadLetterStream,
    subjects: [`${names.prefix}.dlq.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    max_age: nanos(options.deadLetterMaxAgeMs ?? 7 * 24 * 3600_000),
  });
}

/** The durable consumer of one (type, partition) of the inbox stream. */
export async function ensureInboxConsumer(
  jsm: JetStreamManager,
  names: ClusterNames,
  type: string,
  partition: number,
  options: TopologyOptions = {},
): Promise<string> {
  const name = names.inboxConsumer(type, partition);
  await ensureConsumer(jsm, names.inboxStream, consumerConfig(name, names.inboxFilter(type, partition), options));
  return name;
}

/**
 * Makes a partition's consumer ready for an owner that just took its lease, whatever an earlier
 * owner or an interrupted attempt left: creates it when missing, and when deliveries are still out
 * (handed to an owner that is gone, never acknowledged) makes them available again at once rather
 * than after `ack_wait`, without deleting it: each one is nak'ed on its ack subject (see
 * `releasePending`), which needs only the stream's and the consumer's leaders, not the meta group.
 * Idempotent: a step interrupted by a failure (an election) is completed by the next call.
 * `stillOwner` is asked after every request; once it says no, nothing more is done (the slot's
 * next owner does it). Resolves whether this process still owns the slot at the end.
 */
export async function prepareInboxConsumer(
  jsm: JetStreamManager,
  nc: NatsConnection,
  names: ClusterNames,
  type: string,
  partition: number,
  options: TopologyOptions,
  stillOwner: () => boolean,
): Promise<boolean> {
  const name = names.inboxConsumer(type, partition);
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.info(names.inboxStream, name);
  } catch (error) {
    if (!isConsumerNotFound(error)) throw error;
  }
  if (!stillOwner()) return false;
  if (info === undefined) await ensureInboxConsumer(jsm, names, type, partition, options);
  else if (info.num_ack_pending > 0) await releasePending(jsm, nc, names.inboxFilter(type, partition), info, stillOwner);
  return stillOwner();
}

const NAK = new TextEncoder().encode('-NAK');

/**
 * Hands every delivery of `info`'s consumer that is out and unacknowledged back for redelivery now.
 * In a work-queue stream the messages of the consumer's filter up to its last delivered one are
 * exactly those (acknowledged ones are gone); each is found with a message get and nak'ed on the
 * subject its ack would use (`$JS.ACK.<stream>.<consumer>.<count>.<stream seq>.<consumer seq>.…`),
 * with the consumer's last delivery sequence, which nats-server 2.9 accepts for any pending message.
 */
async function releasePending(jsm: JetStreamManager, nc: NatsConnection, filter: string, info: ConsumerInfo, stillOwner: () => boolean): Promise<void> {
  const last = info.delivered.stream_seq;
  let released = 0;
  for (let seq = info.ack_floor.stream_seq + 1; seq <= last && released < info.num_ack_pending; released++) {
    // STREAM.MSG.GET takes `next_by_subj` on 2.9; nats.js types it only for direct gets.
    const query: { seq: number; next_by_subj: string } = { seq, next_by_subj: filter };
    const msg = await jsm.streams.getMessage(info.stream_name, query);
    if (!stillOwner()) return;
    if (msg === null || msg.seq > last) break;
    nc.publish(`$JS.ACK.${info.stream_name}.${info.name}.1.${msg.seq}.${info.delivered.consumer_seq}.0.0`, NAK);
    seq = msg.seq + 1;
  }
  await nc.flush();
}

function consumerConfig(name: string, filter: string, options: TopologyOptions): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: name,
    filter_subject: filter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs ?? 10_000),
    // Unlimited: the engine counts deliveries itself and dead-letters a message at its maximum,
    // so a message never sits in the work queue forever after the server stopped delivering it.
    max_deliver: -1,
    max_ack_pending: options.maxAckPending ?? 1000,
  };
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== STREAM_NAME_IN_USE) throw error;
    const { name, retention: _retention, storage: _storage, ...mutable } = config;
    await jsm.streams.update(name, mutable);
  }
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError)) throw error;
    // Exists with other settings (a cluster whose timings changed): bring it to ours.
    const { durable_name, deliver_policy: _deliver, ...mutable } = config;
    await jsm.consumers.update(stream, durable_name, mutable);
  }
}
