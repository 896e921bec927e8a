// Test-only: a cluster of worker processes (test-utils/engine-worker.ts) plus an engine in the
// test process that sends and publishes, with the checks the multi-process tests share.
import { fileURLToPath } from 'node:url';
import { AgentId } from '@agentopera/types';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { Child, bundleChildEntry } from './child-processes.js';
import { uniqueName } from './names.js';
import type { NatsTestServer } from './nats-server.js';
import { Get, registerTestSerializers, testSubscriptions, type TurnReport } from './test-agents.js';
import { NatsAgentEngine } from '../engine/nats-agent-engine.js';
import { partitionOf } from '../partition.js';
import type { TracerProvider } from '@opentelemetry/api';

export const TEST_TIMINGS = { leaseTtlMs: 1500, heartbeatMs: 150, memberTtlMs: 700, ackWaitMs: 2000, redeliveryDelayMs: 50, maxDeliveries: 4 };

export async function bundleWorker(): Promise<{ path: string; remove: () => void }> {
  return bundleChildEntry(fileURLToPath(new URL('./engine-worker.ts', import.meta.url)));
}

export class TestCluster {
  readonly cluster = uniqueName('c');
  readonly workers: Child[] = [];
  client!: NatsAgentEngine;

  constructor(
    private readonly server: Pick<NatsTestServer, 'url'>,
    private readonly bundle: string,
    private readonly partitions = 4,
    /** Stream and bucket replicas (3 on a 3-server cluster, whose `url` lists every server). */
    private readonly replicas = 1,
  ) {}

  /** The client engine of the test process (hosts nothing) and the shared subscriptions. */
  async open(rpcTimeoutMs = 10_000, tracerProvider?: TracerProvider): Promise<this> {
    this.client = await NatsAgentEngine.connect({
      tracerProvider,
      servers: this.server.url.split(','),
      cluster: this.cluster,
      partitions: this.partitions,
      replicas: this.replicas,
      timings: TEST_TIMINGS,
      rpcTimeoutMs,
      processName: 'client',
    });
    registerTestSerializers(this.client);
    for (const subscription of testSubscriptions()) await this.client.subscribe(subscription);
    return this;
  }

  async worker(name: string, env: Record<string, string> = {}): Promise<Child> {
    const child = Child.spawn(name, this.bundle, {
      NATS_SERVER: this.server.url,
      CLUSTER: this.cluster,
      PARTITIONS: String(this.partitions),
      REPLICAS: String(this.replicas),
      TIMINGS: JSON.stringify(TEST_TIMINGS),
      NAME: name,
      ...env,
    });
    this.workers.push(child);
    await child.waitFor((e) => e.type === 'ready', 60_000, 'ready');
    return child;
  }

  /**
   * Waits until the live workers together own every partition of the hosted types, each owns some,
   * and the split has held still for a second (a joining worker takes its share over from the
   * others one partition at a time, so a full total alone does not mean the hand-over is done).
   */
  async settled(expectedWorkers: Child[], types = 5): Promise<void> {
    const snapshot = (): string =>
      expectedWorkers.map((w) => ((w.all('status').at(-1)?.['slots'] as string[] | undefined) ?? []).join(',')).join('|');
    const owned = (): number[] => expectedWorkers.map((w) => (w.all('status').at(-1)?.['owned'] as number | undefined) ?? 0);
    let last = '';
    let since = 0;
    await expect
      .poll(
        () => {
          const counts = owned();
          const full = counts.reduce((a, b) => a + b, 0) === this.partitions * types && counts.every((count) => count > 0);
          const now = snapshot();
          if (!full || now !== last) {
            last = now;
            since = Date.now();
            return false;
          }
          return Date.now() - since >= 1000;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(true);
  }

  /** A key of `type` whose partition `worker` owns (waiting until it owns one). */
  async keyOwnedBy(worker: Child, type: string, prefix = 'k'): Promise<string> {
    let found: string | undefined;
    await expect
      .poll(
        () => {
          const slots = (worker.all('status').at(-1)?.['slots'] as string[] | undefined) ?? [];
          for (let i = 0; i < 1000 && found === undefined; i++) {
            const key = `${prefix}${i}`;
            if (slots.includes(`${type}/${partitionOf(type, key, this.partitions)}`)) found = key;
          }
          return found !== undefined;
        },
        { timeout: 20_000, interval: 100, message: `${worker.name} owns no partition of ${type}` },
      )
      .toBe(true);
    return found!;
  }

  turns(): TurnReport[] {
    return this.workers.flatMap((w) => w.all('turn') as unknown as TurnReport[]);
  }

  /** Every counter's value, read through the cluster (from whichever process owns it). */
  async counter(key: string): Promise<number> {
    return this.client.sendMessage<number>(new Get(), new AgentId('counter', key));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill()));
    await this.client?.close().catch(() => {});
  }
}

/** No two turns of one agent overlap in time, whichever processes ran them. */
export function expectSerialTurns(turns: readonly TurnReport[]): void {
  const byAgent = new Map<string, TurnReport[]>();
  for (const turn of turns) byAgent.set(turn.agent, [...(byAgent.get(turn.agent) ?? []), turn]);
  for (const [agent, list] of byAgent) {
    const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < sorted.length; i++) {
      const [before, after] = [sorted[i - 1]!, sorted[i]!];
      expect(after.start, `${agent}: a turn on ${after.processId} began before one on ${before.processId} ended`).toBeGreaterThanOrEqual(before.end);
    }
  }
}

/**
 * For a `describe` block of multi-process tests: the worker bundle, built once, and `open()`,
 * which makes a `TestCluster` on `server()` that is closed after the test that opened it.
 */
export function useTestClusters(server: () => NatsTestServer): {
  open(options?: { partitions?: number; rpcTimeoutMs?: number; tracerProvider?: TracerProvider }): Promise<TestCluster>;
} {
  let bundle: { path: string; remove: () => void } | undefined;
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    bundle = await bundleWorker();
  }, 60_000);
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });
  afterAll(() => bundle?.remove());
  return {
    async open(options = {}) {
      cluster = new TestCluster(server(), bundle!.path, options.partitions);
      return cluster.open(options.rpcTimeoutMs, options.tracerProvider);
    },
  };
}
