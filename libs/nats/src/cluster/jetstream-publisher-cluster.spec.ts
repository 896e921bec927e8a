import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsTestCluster } from '../test-utils/nats-cluster.js';
import { natsServerCanRestart } from '../test-utils/nats-server.js';
import { uniqueName } from '../test-utils/names.js';
import { JetStreamPublisher, type PubAck } from './jetstream-publisher.js';

// Issue 17, defect 12, on 3 servers: while the killed server's streams elect new leaders, a store
// answered 503 ("no responders") is sent again until its deadline, not rejected.
describe.skipIf(!natsServerCanRestart())('JetStreamPublisher on a 3-server cluster', () => {
  let cluster: NatsTestCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.close();
  });

  it('stores every publish made across a kill -9 of the server leading the meta group and the stream, none rejected, each once', async () => {
    const stream = uniqueName('PUBC');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], num_replicas: 3 });
    const leader = (await cluster.streamLeader(stream)) === 'n1' ? 'n2' : 'n1';
    await cluster.lead(leader, [stream]);
    const publisher = JetStreamPublisher.start(nc, `${stream}_ack`, { retryAfterMs: 500 });
    const sent: Promise<PubAck>[] = [];
    const failures: unknown[] = [];
    let i = 0;
    const publish = (): void => {
      const ack = publisher.publish(`${stream}.m`, new Uint8Array([i % 256]), headers(), `m-${i++}`, 30_000);
      ack.catch((error: unknown) => failures.push(error));
      sent.push(ack);
    };
    for (let n = 0; n < 200; n++) publish();
    await Promise.all(sent);
    const killed = cluster.server(leader).kill();
    // Publishes during and after the election.
    for (let wave = 0; wave < 20; wave++) {
      for (let n = 0; n < 50; n++) publish();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await killed;
    for (let n = 0; n < 200; n++) publish();
    const acks = await Promise.all(sent);
    expect(failures).toEqual([]);
    expect(acks).toHaveLength(1400);
    expect(new Set(acks.map((ack) => ack.seq)).size).toBe(1400);
    expect((await jsm.streams.info(stream)).state.messages).toBe(1400);
    await cluster.server(leader).restart();
    await cluster.healthy([stream]);
    publisher.close();
  }, 120_000);
});
