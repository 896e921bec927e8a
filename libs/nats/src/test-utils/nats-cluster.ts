import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** The server leading a consumer of `stream` (a stream's consumers elect leaders of their own), once one is elected. */
  consumerLeader(stream: string, consumer: string): Promise<string>;
  /**
   * Moves leadership of the meta group and of each stream to `name` by step-downs (a new leader
   * is elected at random, so it repeats until `name` wins), so one `kill` takes them all down.
   */
  lead(name: string, streams: readonly string[]): Promise<void>;
  /**
   * Makes `name` the leader of exactly what `leads` names (the meta group if `meta`, and each of
   * `streams`) and of nothing else among `all` streams, by step-downs, so that one kill takes down
   * exactly those leaders.
   */
  leadOnly(name: string, leads: { readonly meta: boolean; readonly streams: readonly string[] }, all: readonly string[]): Promise<void>;
  /** Waits until every server is up and a meta leader and every stream's leader are elected. */
  healthy(streams?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const CLUSTER_READY_MS = 30_000;

/**
 * Starts `size` servers (default 3) as one JetStream cluster and waits for a meta leader. A server
 * that dies while the cluster forms (a port taken between choosing and binding it) makes the whole
 * cluster start again on other ports, twice at most.
 */
export async function startNatsCluster(size = 3): Promise<NatsTestCluster> {
  if (!hasBinary('nats-server')) throw new Error(NATS_SERVER_MISSING);
  installExitHook();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(size);
    } catch (error) {
      if (!(error instanceof ServerDiedError) || attempt === 3) throw error;
    }
  }
}

class ServerDiedError extends Error {}

async function startOnce(size: number): Promise<NatsTestCluster> {
  const root = mkdtempSync(join(tmpdir(), 'agentopera-natscluster-'));
  const [clientPorts, routePorts, monitorPorts] = chunk(await freePorts(3 * size), size);
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
    const died = servers.find((server) => server.died !== undefined);
    await admin?.close().catch(() => {});
    await system?.close().catch(() => {});
    await Promise.all(servers.map((server) => server.kill()));
    rmSync(root, { recursive: true, force: true });
    if (died !== undefined) throw new ServerDiedError(`${died.name} ${died.died}`, { cause: error });
    throw error;
  }
}

class Server implements ClusterServer {
  private child: ChildProcess | undefined;
  /** How the server ended when nobody killed it (a fatal error after it was ready), with its last log lines. */
  died: string | undefined;
  private tail: string[] = [];

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
    return this.child !== undefined && this.died === undefined;
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined) await terminate(child, 'SIGKILL');
  }

  async restart(): Promise<void> {
    await this.kill();
    this.died = undefined;
    this.tail = [];
    const child = (await launch('nats-server', ['-c', this.config], this.port)).child;
    this.child = child;
    child.stderr!.on('data', (chunk: string) => {
      this.tail.push(...chunk.split('\n').filter((line) => line !== ''));
      this.tail.splice(0, this.tail.length - 20);
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.died = `exited (${signal ?? code}) on its own; its last log lines:\n${this.tail.join('\n')}`;
    });
  }

  /** What the harness knows of this server, for an error message. */
  describe(view: unknown): string {
    if (this.child === undefined) return `${this.name}: killed`;
    if (this.died !== undefined) return `${this.name}: ${this.died}`;
    return `${this.name}: running, /jsz meta_cluster ${JSON.stringify(view)}`;
  }

  /** The monitoring endpoint's `/jsz` (JetStream's view of this server), or undefined while it is down. */
  async jsz(): Promise<{ meta_cluster?: { leader?: string; cluster_size?: number } } | undefined> {
    if (!this.running) return undefined;
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
    return this.leaderFrom(`a leader of ${stream}`, `$JS.API.STREAM.INFO.${stream}`);
  }

  consumerLeader(stream: string, consumer: string): Promise<string> {
    return this.leaderFrom(`a leader of consumer ${consumer} of ${stream}`, `$JS.API.CONSUMER.INFO.${stream}.${consumer}`);
  }

  private leaderFrom(what: string, infoSubject: string): Promise<string> {
    return until(what, async () => {
      const info = await this.api<{ cluster?: { leader?: string } }>(this.admin, infoSubject);
      const leader = info?.cluster?.leader;
      return leader !== undefined && leader !== '' && this.isUp(leader) ? leader : undefined;
    });
  }

  lead(name: string, streams: readonly string[]): Promise<void> {
    return this.leadOnly(name, { meta: true, streams }, streams);
  }

  async leadOnly(name: string, leads: { readonly meta: boolean; readonly streams: readonly string[] }, all: readonly string[]): Promise<void> {
    this.server(name);
    const groups = [
      { what: 'the meta group', lead: leads.meta, leader: () => this.metaLeader(), stepDown: () => this.api(this.system, '$JS.API.META.LEADER.STEPDOWN') },
      ...all.map((stream) => ({
        what: stream,
        lead: leads.streams.includes(stream),
        leader: () => this.streamLeader(stream),
        stepDown: () => this.api(this.admin, `$JS.API.STREAM.LEADER.STEPDOWN.${stream}`),
      })),
    ];
    // A step-down of one group may move another's leader (rarely): check them all again after.
    for (let round = 0; round < 5; round++) {
      for (const group of groups) {
        await this.moveLeader(name, group.lead, group.what, group.leader, group.stepDown);
      }
      const leaders = await Promise.all(groups.map((group) => group.leader()));
      if (groups.every((group, i) => (leaders[i] === name) === group.lead)) return;
    }
    throw new Error(`${name} could not be made the leader of exactly ${JSON.stringify(leads)} after 5 rounds of step-downs`);
  }

  async healthy(streams: readonly string[] = []): Promise<void> {
    await until('every server up', async () => (this.servers.every((server) => server.running) ? true : undefined));
    let views: string[] = [];
    await until(
      'every server agreeing on a meta leader',
      async () => {
        const leaders = new Set<string | undefined>();
        views = [];
        for (const server of this.servers) {
          const meta = (await server.jsz())?.meta_cluster;
          leaders.add(meta?.leader);
          views.push(server.describe(meta));
        }
        if (this.servers.some((server) => server.died !== undefined)) throw new Error(`A server of the test NATS cluster died:\n${views.join('\n')}`);
        return leaders.size === 1 && !leaders.has(undefined) && !leaders.has('') ? true : undefined;
      },
      () => views.join('\n'),
    );
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

  /** Steps `what`'s leader down until `name` leads it (`lead`) or does not (`!lead`); a new leader is elected at random. */
  private async moveLeader(name: string, lead: boolean, what: string, leader: () => Promise<string>, stepDown: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const current = await leader();
      if ((current === name) === lead) return;
      await stepDown();
      // Wait for the election the step-down started to end before asking again.
      await until(`a new leader of ${what}`, async () => ((await leader().catch(() => current)) !== current ? true : undefined));
    }
    throw new Error(`${name} ${lead ? 'did not become the leader of' : 'still led'} ${what} after 30 step-downs`);
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

/** Polls `probe` every 100 ms until it returns a value; throws naming `what` (and `seen`) after 30 s. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, seen?: () => string): Promise<T> {
  const deadline = performance.now() + CLUSTER_READY_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`The test NATS cluster had no ${what} within ${CLUSTER_READY_MS} ms${seen === undefined ? '' : `; the servers:\n${seen()}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * `count` distinct free loopback ports below the kernel's ephemeral range: a port from that range
 * can be taken by any outgoing connection between the moment it is chosen and the server binding
 * it (a restart rebinds it much later), which kills the server. Each is held open until all are
 * found, so none repeats.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ephemeralLow = Number(/^(\d+)/.exec(readFileSafe('/proc/sys/net/ipv4/ip_local_port_range'))?.[1] ?? 0);
  const low = 10_000;
  const usable = ephemeralLow > low + 1000;
  const held: { port: number; close: () => void }[] = [];
  try {
    while (held.length < count) {
      const wanted = usable ? low + Math.floor(Math.random() * (ephemeralLow - low)) : 0;
      if (held.some(({ port }) => port === wanted)) continue;
      const port = await listenOn(wanted);
      if (port !== undefined) held.push(port);
    }
    return held.map(({ port }) => port);
  } finally {
    for (const { close } of held) close();
  }
}

function listenOn(port: number): Promise<{ port: number; close: () => void } | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({ port: typeof address === 'object' && address !== null ? address.port : port, close: () => server.close() });
    });
  });
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
