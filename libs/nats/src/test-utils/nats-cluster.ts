import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NATS_SERVER_MISSING, hasBinary, installExitHook, launch, terminate } from './nats-server.js';

/** One server of a test cluster: killed and restarted on its own ports and store. */
export interface ClusterServer {
  /** The server's `server_name` (what JetStream names as a leader): `n1`, `n2`, … */
  readonly name: string;
  readonly url: string;
  readonly running: boolean;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store. */
  restart(): Promise<void>;
}

/**
 * A JetStream cluster of nats-servers on loopback, each with its own ports and store, for tests
 * that kill one server under load. Clients connect without credentials (the `APP` account); the
 * harness also holds a system-account connection, which moving the meta leader needs.
 */
export interface NatsTestCluster {
  /** Every server's URL, comma-separated (what `servers` takes). */
  readonly url: string;
  readonly servers: readonly ClusterServer[];
  server(name: string): ClusterServer;
  /** The server leading the meta group, once one is elected. */
  metaLeader(): Promise<string>;
  /** The server leading `stream` (a KV bucket's stream is `KV_<bucket>`), once one is elected. */
  streamLeader(stream: string): Promise<string>;
  /**
   * Moves leadership of the meta group and of each stream to `name` by step-downs (a new leader
   * is elected at random, so it repeats until `name` wins), so one `kill` takes them all down.
   */
  lead(name: string, streams: readonly string[]): Promise<void>;
  /** Waits until every server is up and a meta leader and every stream's leader are elected. */
  healthy(streams?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const CLUSTER_READY_MS = 30_000;

/** Starts `size` servers (default 3) as one JetStream cluster and waits for a meta leader. */
export async function startNatsCluster(size = 3): Promise<NatsTestCluster> {
  if (!hasBinary('nats-server')) throw new Error(NATS_SERVER_MISSING);
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), 'agentopera-natscluster-'));
  const clientPorts = await freePorts(size);
  const routePorts = await freePorts(size);
  const monitorPorts = await freePorts(size);
  const servers = clientPorts.map((clientPort, i) => {
    const name = `n${i + 1}`;
    const dir = join(root, name);
    mkdirSync(dir);
    const config = join(dir, 'server.conf');
    const routes = routePorts.filter((_, j) => j !== i).map((port) => `nats-route://127.0.0.1:${port}`);
    writeFileSync(
      config,
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${clientPort}`,
        `http: 127.0.0.1:${monitorPorts[i]}`,
        `jetstream { store_dir: ${JSON.stringify(join(dir, 'js'))}, max_mem: 256MB, max_file: 2GB }`,
        `cluster { name: agentopera-test, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes.join(', ')}] }`,
        `accounts { APP { jetstream: enabled, users: [{ user: app, password: app }] }, SYS { users: [{ user: sys, password: sys }] } }`,
        `system_account: SYS`,
        `no_auth_user: app`,
      ].join('\n'),
    );
    return new Server(name, clientPort, monitorPorts[i]!, config);
  });
  let admin: NatsConnection | undefined;
  let system: NatsConnection | undefined;
  try {
    await Promise.all(servers.map((server) => server.restart()));
    const url = servers.map((server) => server.url).join(',');
    admin = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    system = await connect({ servers: url, user: 'sys', pass: 'sys', maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const cluster = new Cluster(url, servers, admin, system, root);
    await cluster.healthy();
    return cluster;
  } catch (error) {
    await admin?.close().catch(() => {});
    await system?.close().catch(() => {});
    await Promise.all(servers.map((server) => server.kill()));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

class Server implements ClusterServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly port: number,
    readonly monitorPort: number,
    private readonly config: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined) await terminate(child, 'SIGKILL');
  }

  async restart(): Promise<void> {
    await this.kill();
    this.child = (await launch('nats-server', ['-c', this.config], this.port)).child;
  }

  /** The monitoring endpoint's `/jsz` (JetStream's view of this server), or undefined while it is down. */
  async jsz(): Promise<{ meta_cluster?: { leader?: string; cluster_size?: number } } | undefined> {
    if (this.child === undefined) return undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${this.monitorPort}/jsz`, { signal: AbortSignal.timeout(2000) });
      return (await response.json()) as { meta_cluster?: { leader?: string } };
    } catch {
      return undefined;
    }
  }
}

class Cluster implements NatsTestCluster {
  constructor(
    readonly url: string,
    readonly servers: readonly Server[],
    private readonly admin: NatsConnection,
    private readonly system: NatsConnection,
    private readonly root: string,
  ) {}

  server(name: string): ClusterServer {
    const found = this.servers.find((server) => server.name === name);
    if (found === undefined) throw new RangeError(`No server named ${JSON.stringify(name)} in the test cluster (${this.servers.map((s) => s.name).join(', ')})`);
    return found;
  }

  metaLeader(): Promise<string> {
    return until('a meta leader', async () => {
      for (const server of this.servers) {
        const leader = (await server.jsz())?.meta_cluster?.leader;
        if (leader !== undefined && leader !== '' && this.isUp(leader)) return leader;
      }
      return undefined;
    });
  }

  streamLeader(stream: string): Promise<string> {
    return until(`a leader of ${stream}`, async () => {
      const info = await this.api<{ cluster?: { leader?: string } }>(this.admin, `$JS.API.STREAM.INFO.${stream}`);
      const leader = info?.cluster?.leader;
      return leader !== undefined && leader !== '' && this.isUp(leader) ? leader : undefined;
    });
  }

  async lead(name: string, streams: readonly string[]): Promise<void> {
    this.server(name);
    await this.moveTo(name, 'the meta group', () => this.metaLeader(), () => this.api(this.system, '$JS.API.META.LEADER.STEPDOWN'));
    for (const stream of streams) {
      await this.moveTo(name, stream, () => this.streamLeader(stream), () => this.api(this.admin, `$JS.API.STREAM.LEADER.STEPDOWN.${stream}`));
    }
    // A later step-down of a stream may have moved the meta group again: check it still stands.
    if ((await this.metaLeader()) !== name) await this.lead(name, streams);
  }

  async healthy(streams: readonly string[] = []): Promise<void> {
    await until('every server up', async () => (this.servers.every((server) => server.running) ? true : undefined));
    await until('every server agreeing on a meta leader', async () => {
      const leaders = new Set<string | undefined>();
      for (const server of this.servers) leaders.add((await server.jsz())?.meta_cluster?.leader);
      return leaders.size === 1 && !leaders.has(undefined) && !leaders.has('') ? true : undefined;
    });
    for (const stream of streams) await this.streamLeader(stream);
  }

  async close(): Promise<void> {
    await this.admin.close().catch(() => {});
    await this.system.close().catch(() => {});
    await Promise.all(this.servers.map((server) => server.kill()));
    rmSync(this.root, { recursive: true, force: true });
  }

  private isUp(name: string): boolean {
    return this.servers.some((server) => server.name === name && server.running);
  }

  private async moveTo(name: string, what: string, leader: () => Promise<string>, stepDown: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const current = await leader();
      if (current === name) return;
      await stepDown();
      // Wait for the election the step-down started to end before asking again.
      await until(`a new leader of ${what}`, async () => ((await leader().catch(() => current)) !== current ? true : undefined));
    }
    throw new Error(`${name} did not become the leader of ${what} after 30 step-downs`);
  }

  /** A JetStream API request; `undefined` when it timed out or found no responder (during an election). */
  private async api<T>(nc: NatsConnection, subject: string): Promise<T | undefined> {
    try {
      return (await nc.request(subject, '', { timeout: 2000 })).json<T>();
    } catch {
      return undefined;
    }
  }
}

/** Polls `probe` every 100 ms until it returns a value; throws naming `what` after 30 s. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + CLUSTER_READY_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`The test NATS cluster had no ${what} within ${CLUSTER_READY_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `count` distinct free loopback ports (each held open until all are found, so none repeats). */
async function freePorts(count: number): Promise<number[]> {
  const held = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<{ port: number; close: () => void }>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolve({ port: typeof address === 'object' && address !== null ? address.port : 0, close: () => server.close() });
          });
        }),
    ),
  );
  for (const { close } of held) close();
  return held.map(({ port }) => port);
}
