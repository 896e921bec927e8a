import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { freePorts, startNatsCluster, type NatsTestCluster } from './nats-cluster.js';
import { natsServerCanRestart } from './nats-server.js';
import { uniqueName } from './names.js';

describe.skipIf(!natsServerCanRestart())('the test NATS cluster', () => {
  let cluster: NatsTestCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  }, 60_000);
  afterAll(() => cluster?.close());

  it('moves every leader to one server, and after its kill -9 elects others and keeps what was stored', async () => {
    const stream = uniqueName('HARNESS');
    const nc = await connect({ servers: cluster.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], num_replicas: 3 });
      await jetstream(nc).publish(`${stream}.a`, 'kept');
      await cluster.lead('n2', [stream]);
      expect(await cluster.metaLeader()).toBe('n2');
      expect(await cluster.streamLeader(stream)).toBe('n2');

      await cluster.server('n2').kill();
      expect(await cluster.metaLeader()).not.toBe('n2');
      expect(await cluster.streamLeader(stream)).not.toBe('n2');
      await cluster.server('n2').restart();
      await cluster.healthy([stream]);
      const info = await jsm.streams.info(stream);
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  }, 120_000);
});

describe('the ports the test cluster chooses', () => {
  it('are distinct and below the ephemeral range, so no outgoing connection takes one before its server binds it', async () => {
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
    const ports = await freePorts(30);
    expect(new Set(ports).size).toBe(30);
    for (const port of ports) expect(port).toBeLessThan(ephemeralLow);
  });
});
