import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ClusterNames } from '@agentopera/nats';

/**
 * Deletes the streams and KV buckets of a finished demo cluster, so that runs against a shared
 * `NATS_URL` server leave nothing behind (each run has a fresh cluster name). Resolves with what
 * it could not delete; a stream that is not there counts as deleted.
 */
export async function removeCluster(nc: NatsConnection, cluster: string): Promise<string[]> {
  const names = new ClusterNames(cluster);
  const jsm = await jetstreamManager(nc);
  const buckets = [names.membersBucket, names.leasesBucket, names.typesBucket, names.subscriptionsBucket, names.stateBucket];
  // A KV bucket is the stream KV_<bucket>.
  const streams = [names.inboxStream, names.deadLetterStream, ...buckets.map((bucket) => `KV_${bucket}`)];
  const left: string[] = [];
  for (const stream of streams) {
    try {
      await jsm.streams.delete(stream);
    } catch (error) {
      if (!/not found/i.test(error instanceof Error ? error.message : String(error))) left.push(stream);
    }
  }
  return left;
}
