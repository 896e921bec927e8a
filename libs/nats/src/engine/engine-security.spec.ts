import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { AgentId } from '@agentopera/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsServerCanRestart, startNatsServer, type NatsTestServer } from '../test-utils/nats-server.js';
import { uniqueName } from '../test-utils/names.js';
import { Ping, registerTestAgents, registerTestSerializers } from '../test-utils/test-agents.js';
import { NatsAgentEngine } from './nats-agent-engine.js';
import { TEST_TIMINGS } from '../test-utils/test-cluster.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

// A server of its own that demands a user and password over TLS (a self-signed certificate).
describe.skipIf(!natsServerCanRestart() || !hasOpenssl)('NatsAgentEngine with credentials and TLS', { timeout: 30_000 }, () => {
  let dir: string;
  let server: NatsTestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentopera-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    server = await startNatsServer({
      extraArgs: ['--user', 'app', '--pass', 's3cret', '--tls', '--tlscert', join(dir, 'cert.pem'), '--tlskey', join(dir, 'key.pem')],
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects through `servers` with credentials and TLS options, and works', async () => {
    const cluster = uniqueName('c');
    const options = { servers: server.url, cluster, partitions: 2, timings: TEST_TIMINGS };
    const connectionOptions = { user: 'app', pass: 's3cret', tls: { caFile: join(dir, 'cert.pem') } };
    const host = await NatsAgentEngine.connect({ ...options, connectionOptions });
    try {
      await registerTestAgents(host, { processId: host.processId });
      await host.start();
      // A second process that brings its own connection.
      const nc = await connect({ servers: server.url, ...connectionOptions });
      const client = await NatsAgentEngine.connect({ connection: nc, cluster, partitions: 2, timings: TEST_TIMINGS });
      registerTestSerializers(client);
      expect(await client.sendMessage(new Ping('over TLS'), new AgentId('echo', 'k'))).toMatchObject({ echo: 'over TLS' });
      await client.close();
      expect(nc.isClosed()).toBe(false); // an adopted connection stays open
      await nc.close();
    } finally {
      await host.close();
    }
  });

  it('is refused without the credentials, and without trusting the certificate', async () => {
    const base = { servers: server.url, cluster: uniqueName('c'), connectionOptions: { maxReconnectAttempts: 0 } };
    await expect(
      NatsAgentEngine.connect({ ...base, connectionOptions: { ...base.connectionOptions, tls: { caFile: join(dir, 'cert.pem') } } }),
    ).rejects.toThrow(/[Aa]uthoriz/);
    await expect(NatsAgentEngine.connect({ ...base, connectionOptions: { ...base.connectionOptions, user: 'app', pass: 's3cret' } })).rejects.toThrow();
  });
});
