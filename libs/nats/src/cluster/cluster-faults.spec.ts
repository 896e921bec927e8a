import { fileURLToPath } from 'node:url';
import { headers } from '@nats-io/transport-node';
import { AgentId } from '@agentopera/types';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Child, bundleChildEntry } from '../test-utils/child-processes.js';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { RESTART_SKIP_NOTE } from '../test-utils/nats-server.js';
import { NatsKvStateStore } from '../state/nats-kv-state-store.js';
import { ClusterNames } from './cluster-names.js';
import { FencedState } from './fenced-state.js';
import { ensureStreams } from './topology.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { partitionOf } from '../partition.js';

// Real processes, real faults: counter workers (test-utils/counter-worker.ts) own the partitions
// of one type; each message adds one to its agent's counter, committed per turn with its id.
// Whatever happens to workers or the server, every counter must end at exactly the number of
// messages sent to it: nothing lost (at-least-once) and nothing counted twice (the id ring).

const PARTITIONS = 4;
const TIMINGS = { leaseTtlMs: 1500, heartbeatMs: 150, memberTtlMs: 700, ackWaitMs: 2000, redeliveryDelayMs: 50 };

describe('cluster plumbing under faults', { timeout: 60_000 }, () => {
  const nats = useNats();
  let bundle: { path: string; remove: () => void };
  const children: Child[] = [];
  const publishers: JetStreamPublisher[] = [];
  beforeAll(async () => {
    bundle = await bundleChildEntry(fileURLToPath(new URL('../test-utils/counter-worker.ts', import.meta.url)));
  }, 60_000);
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    for (const publisher of publishers.splice(0)) publisher.close();
  });
  afterAll(() => bundle?.remove());

  async function cluster() {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names, { ackWaitMs: TIMINGS.ackWaitMs });
    const store = await NatsKvStateStore.open(nats.nc, { bucket: names.stateBucket });
    const publisher = JetStreamPublisher.start(nats.nc, `${names.prefix}.test-ack`, { retryAfterMs: 500 });
    publishers.push(publisher);
    const sent = new Map<string, number>();
    let serial = 0;
    const send = async (key: string): Promise<void> => {
      const h = headers();
      h.set('key', key);
      // Re-sent (same id) until stored, so a send made while the server restarts is not lost.
      await publisher.publish(names.inboxSubject('counter', partitionOf('counter', key, PARTITIONS), key), new Uint8Array(), h, `m${serial++}`, 30_000);
      sent.set(key, (sent.get(key) ?? 0) + 1);
    };
    const worker = async (name: string, extra: Record<string, string> = {}): Promise<Child> => {
      const child = Child.spawn(name, bundle.path, {
        NATS_SERVER: nats.server.url,
        CLUSTER: names.cluster,
        PARTITIONS: String(PARTITIONS),
        TIMINGS: JSON.stringify(TIMINGS),
        ...extra,
      });
      children.push(child);
      await child.waitFor((e) => e.type === 'ready', 30_000, 'ready');
      return child;
    };
    const counters = async (): Promise<Map<string, number>> => {
      const fence = new FencedState(store, 'reader');
      const result = new Map<string, number>();
      for (const key of sent.keys()) result.set(key, ((await fence.read(new AgentId('counter', key)))?.state?.['n'] as number) ?? 0);
      return result;
    };
    const drained = async (): Promise<void> => {
      await vi.waitFor(async () => expect(await counters()).toEqual(sent), { timeout: 30_000, interval: 200 });
      await vi.waitFor(async () => expect((await nats.jsm.streams.info(names.inboxStream)).state.messages).toBe(0), { timeout: 10_000 });
    };
    return { names, send, worker, counters, drained, sent };
  }

  const keys = ['a', 'b.c', '*', '>', 'with space', 'ключ', 'x/y', 'z'];

  /** The partitions a worker said it owned last (it says so every 200 ms). */
  const slotsOf = (worker: Child): number => (worker.all('owned').at(-1)?.['slots'] as number | undefined) ?? 0;

  /**
   * The two workers, one that owns partitions first: `a`, unless rendezvous hashing gave `b` all
   * four (one cluster in sixteen), so that the fault always falls on an owner.
   */
  async function ownerFirst(a: Child, b: Child): Promise<[Child, Child]> {
    await vi.waitFor(() => expect(slotsOf(a) + slotsOf(b)).toBeGreaterThan(0), { timeout: 10_000 });
    return slotsOf(a) > 0 ? [a, b] : [b, a];
  }

  it('kill -9 of a worker under load: the other takes its partitions; nothing lost, nothing counted twice', async () => {
    const c = await cluster();
    const a = await c.worker('a');
    const b = await c.worker('b');
    for (let i = 0; i < 150; i++) await c.send(keys[i % keys.length]!);
    const [victim, survivor] = await ownerFirst(a, b);
    await victim.kill('SIGKILL');
    for (let i = 0; i < 150; i++) await c.send(keys[i % keys.length]!);
    await c.drained();
    await vi.waitFor(() => expect(slotsOf(survivor)).toBe(PARTITIONS), { timeout: 10_000 });
  });

  it('a worker paused past its lease (SIGSTOP, SIGCONT) neither commits nor acks; the new owner wins', async () => {
    const c = await cluster();
    // Its turns wait for our word before they commit: the pause surely falls inside every running turn.
    const a = await c.worker('a', { HOLD_TURNS: '1' });
    await vi.waitFor(() => expect(a.all('owned').at(-1)?.['slots']).toBe(PARTITIONS), { timeout: 10_000 });
    for (let i = 0; i < 16; i++) await c.send(keys[i % keys.length]!);
    await a.waitFor((e) => e.type === 'turn', 10_000, 'a turn');
    await a.pause();
    const pausedAt = Date.now();
    const b = await c.worker('b');
    await b.waitFor((e) => e.type === 'committed', 20_000, 'a commit after the takeover');
    a.signal('SIGCONT');
    a.send({ type: 'release' });
    await c.drained();
    // Every turn a had under way gave up without a commit: past its deadline, or fenced out. Its
    // activations from before the pause were the first (epoch 1): nothing commits under them. Once
    // it heartbeats again, partitions may be handed back to it; it then commits as their new owner,
    // under a later epoch, and no message is committed twice.
    await a.waitFor((e) => e.type === 'abandoned' || e.type === 'fenced', 10_000, 'the paused turns to give up');
    expect(a.all('committed').filter((e) => (e['at'] as number) <= pausedAt)).toEqual([]);
    expect(a.all('committed').filter((e) => e['epoch'] === 1)).toEqual([]);
    expect(b.all('committed').length).toBeGreaterThan(0);
    const committed = [...a.all('committed'), ...b.all('committed')].map((e) => e['messageId']);
    expect(new Set(committed).size).toBe(committed.length);
  });

  it('a server restart (SIGTERM, start again) under load: the workers reconnect and go on; nothing acknowledged is lost', async (ctx) => {
    if (!nats.server.canRestart) ctx.skip(RESTART_SKIP_NOTE);
    const c = await cluster();
    await c.worker('a');
    await c.worker('b');
    for (let i = 0; i < 100; i++) await c.send(keys[i % keys.length]!);
    await nats.server.restart();
    for (let i = 0; i < 100; i++) await c.send(keys[i % keys.length]!);
    await c.drained();
  });

  it('a clean stop hands partitions over at once, without waiting for a lease to expire', async () => {
    const c = await cluster();
    // Leases of a minute: only a hand-over can move the partitions within the test's time.
    const slow = { TIMINGS: JSON.stringify({ ...TIMINGS, leaseTtlMs: 60_000 }) };
    const [stopping, staying] = await ownerFirst(await c.worker('a', slow), await c.worker('b', slow));
    stopping.send({ type: 'stop' });
    await stopping.waitFor((e) => e.type === 'stopped', 10_000, 'stopped');
    const eventsBefore = staying.events.length;
    await staying.waitFor((e) => e.type === 'owned' && e['slots'] === PARTITIONS && staying.events.indexOf(e) >= eventsBefore, 10_000, 'all partitions');
    for (let i = 0; i < 20; i++) await c.send(keys[i % keys.length]!);
    await c.drained();
  });
});
