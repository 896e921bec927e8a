import { describe, expect, it } from 'vitest';
import { NATS_SERVER_MISSING, openNatsServer } from './nats-server-process.js';
import { UsageError } from './usage-error.js';

describe('openNatsServer', () => {
  it('is a usage error saying how to get nats-server when it is missing and NATS_URL is unset', async () => {
    const opening = openNatsServer({}, 'no-such-nats-server-binary');
    await expect(opening).rejects.toBeInstanceOf(UsageError);
    await expect(opening).rejects.toThrow(NATS_SERVER_MISSING);
  });

  it('uses NATS_URL as it is, and leaves that server alone', async () => {
    const server = await openNatsServer({ NATS_URL: 'nats://example.invalid:4222' }, 'no-such-nats-server-binary');
    expect(server).toMatchObject({ url: 'nats://example.invalid:4222', started: false });
    await server.close();
  });

  it('starts nats-server on a free port and stops it on close()', async () => {
    const server = await openNatsServer({});
    expect(server.started).toBe(true);
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: server.url });
    await nc.close();
    await server.close();
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();
  });
});
