import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll } from 'vitest';
import { startNatsServer, type NatsTestServer } from './nats-server.js';

export interface NatsFixture {
  readonly server: NatsTestServer;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Another connection to the same server, closed with the fixture. */
  connect(): Promise<NatsConnection>;
}

/** A server of this test file's own (or `NATS_URL`'s) and a connection to it, for `describe` blocks. */
export function useNats(): NatsFixture {
  const connections: NatsConnection[] = [];
  const fixture = {} as { -readonly [K in keyof NatsFixture]: NatsFixture[K] };
  const open = async (): Promise<NatsConnection> => {
    const nc = await connect({ servers: fixture.server.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    connections.push(nc);
    return nc;
  };
  beforeAll(async () => {
    fixture.server = await startNatsServer();
    fixture.nc = await open();
    fixture.js = jetstream(fixture.nc);
    fixture.jsm = await jetstreamManager(fixture.nc);
    fixture.connect = open;
  });
  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => {})));
    await fixture.server?.close();
  });
  return fixture;
}
