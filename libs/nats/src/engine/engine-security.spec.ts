import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { onConnectionStatus } from '../cluster/connection-status.js';
import { AgentId, MessageChannel } from '@agentopera/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { natsServerCanRestart, startNatsServer, type NatsTestServer } from '../test-utils/nats-server.js';
import { uniqueName } from '../test-utils/names.js';
import { Bump, Get, Ping, registerTestAgents, registerTestSerializers, testSubscriptions } from '../test-utils/test-agents.js';
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

// The permissions docs/DISTRIBUTED.md lists, and nothing more: a cluster must work under them.
describe.skipIf(!natsServerCanRestart())('NatsAgentEngine under the documented NATS permissions', { timeout: 30_000 }, () => {
  let dir: string;
  let server: NatsTestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentopera-perms-'));
    const publish = [
      'ao.demo.>',
      '$KV.ao_demo_members.>', '$KV.ao_demo_leases.>', '$KV.ao_demo_types.>', '$KV.ao_demo_subs.>', '$KV.ao_demo_state.>',
      '$JS.API.>', '$JS.ACK.AO_demo_IN.>', '$JS.FC.>',
    ];
    const config = `authorization { users = [{ user: "agents", password: "pw", permissions: { publish: ${JSON.stringify(publish)}, subscribe: ["ao.demo.>", "_INBOX.>"] } }] }\n`;
    writeFileSync(join(dir, 'perms.conf'), config);
    server = await startNatsServer({ extraArgs: ['-c', join(dir, 'perms.conf')] });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends, publishes, subscribes and hosts partitions with nothing else allowed', async () => {
    const options = { servers: server.url, cluster: 'demo', partitions: 2, timings: TEST_TIMINGS, connectionOptions: { user: 'agents', pass: 'pw' } };
    const host = await NatsAgentEngine.connect(options);
    const client = await NatsAgentEngine.connect(options);
    // A permission violation does not close a connection: it is an `error` status event.
    const errors: string[] = [];
    const stops = [host, client].map((engine) =>
      onConnectionStatus((engine as unknown as { nc: NatsConnection }).nc, (status) => {
        if (status.type === 'error') errors.push(String((status as { error?: unknown }).error));
      }),
    );
    try {
      await registerTestAgents(host, { processId: host.processId });
      await host.start();
      registerTestSerializers(client);
      for (const subscription of testSubscriptions()) await client.subscribe(subscription);
      expect(await client.sendMessage(new Ping('allowed'), new AgentId('echo', 'k'))).toMatchObject({ echo: 'allowed' });
      await client.publishMessage(new Bump(), new MessageChannel('bumps', 'k'));
      await vi.waitFor(async () => expect(await client.sendMessage(new Get(), new AgentId('counter', 'k'))).toBe(1));
      expect(errors).toEqual([]);
    } finally {
      for (const stop of stops) stop();
      await client.close();
      await host.close();
    }
  });
});
