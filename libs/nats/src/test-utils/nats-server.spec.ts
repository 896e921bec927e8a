import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_SERVER_MISSING, RESTART_SKIP_NOTE, startNatsServer, type NatsTestServer } from './nats-server.js';
import { uniqueName } from './names.js';

describe('the test nats-server', () => {
  let server: NatsTestServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(() => server?.close());

  it('accepts connections with JetStream enabled', async () => {
    const nc = await connect({ servers: server.url });
    try {
      const info = await (await jetstreamManager(nc)).getAccountInfo();
      expect(info.limits).toBeDefined();
    } finally {
      await nc.close();
    }
  });

  it('keeps stored messages across kill -9 and restart on the same port', async (ctx) => {
    if (!server.canRestart) ctx.skip(RESTART_SKIP_NOTE);
    const stream = uniqueName('HARNESS');
    let nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jetstream(nc).publish(`${stream}.a`, 'kept');
    await nc.close();
    const before = server.pid;
    await server.kill();
    expect(server.pid).toBeUndefined();
    await expect(connect({ servers: server.url, reconnect: false, timeout: 500 })).rejects.toThrow();
    await server.restart();
    expect(server.pid).not.toBe(before);
    nc = await connect({ servers: server.url });
    try {
      const message = await (await jetstreamManager(nc)).streams.getMessage(stream, { seq: 1 });
      expect(message?.string()).toBe('kept');
    } finally {
      await nc.close();
    }
  });
});

describe('without nats-server', () => {
  it('fails with one line that says how to get it', async (ctx) => {
    if (process.env['NATS_URL']) ctx.skip('NATS_URL is set, so no binary is needed');
    const failure = startNatsServer({ binary: 'nats-server-that-does-not-exist' });
    await expect(failure).rejects.toThrow(NATS_SERVER_MISSING);
    expect(NATS_SERVER_MISSING).not.toContain('\n');
    expect(NATS_SERVER_MISSING).toContain('apt-get install -y nats-server');
  });
});
