import { AgentId, MessageChannel } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { Bump, Increment, Ping, Start, Wait } from '../test-utils/test-agents.js';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expectSerialTurns, useTestClusters, type TestCluster } from '../test-utils/test-cluster.js';
import { partitionOf } from '../partition.js';

// Real worker processes hosting the test agents; the test process is a client that hosts nothing.
describe('NatsAgentEngine across processes', { timeout: 90_000 }, () => {
  const nats = useNats();
  const clusters = useTestClusters(() => nats.server);

  const open = (): Promise<TestCluster> => clusters.open();

  it('two workers: RPC and publish across them, one activation under racing first messages, serial turns cluster-wide', async () => {
    const c = await open();
    const a = await c.worker('a', { TURN_MS: '5' });
    const b = await c.worker('b', { TURN_MS: '5' });
    await c.settled([a, b]);
    // Each echo answer comes from the worker that owns its key's partition. (Which worker owns the
    // echo partitions is up to rendezvous hashing: with 4 of them, one worker may own all.)
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const answers = await Promise.all(keys.map((key, i) => c.client.sendMessage<{ processId: string }>(new Ping(`p${i}`), new AgentId('echo', key))));
    const owners = keys.map((key) => [a, b].find((w) => (w.all('status').at(-1)?.['slots'] as string[]).includes(`echo/${partitionOf('echo', key, 4)}`)));
    const processIds = owners.map((owner) => owner?.all('ready')[0]?.['processId']);
    expect(answers.map((answer) => answer.processId)).toEqual(processIds);

    // First messages to one new agent from three processes at once: built once, counted exactly.
    a.send({ type: 'send', key: 'race', count: 20 });
    b.send({ type: 'send', key: 'race', count: 20 });
    const local = await Promise.all(Array.from({ length: 20 }, () => c.client.sendMessage<number>(new Increment(1), new AgentId('counter', 'race'))));
    const [fromA, fromB] = await Promise.all([a.waitFor((e) => e.type === 'sent'), b.waitFor((e) => e.type === 'sent')]);
    const all = [...local, ...(fromA['results'] as number[]), ...(fromB['results'] as number[])];
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const builds = [...a.all('built'), ...b.all('built')].filter((e) => e['agent'] === 'counter/race');
    expect(builds).toHaveLength(1);

    // A publish made by the client reaches agents hosted on either worker (subscription made by the client).
    for (let i = 0; i < 10; i++) await c.client.publishMessage(new Bump(), new MessageChannel('bumps', `agent-${i}`));
    await expect.poll(async () => Promise.all(Array.from({ length: 10 }, (_, i) => c.counter(`agent-${i}`))), { timeout: 10_000 }).toEqual(Array(10).fill(1));
    expectSerialTurns(c.turns());
  });

  it('A→B→A across processes: the serial agent answers a call from inside its own turn', async () => {
    const c = await open();
    const a = await c.worker('a');
    const b = await c.worker('b');
    await c.settled([a, b]);
    const replies = await Promise.all(['x', 'y', 'z'].map((key) => c.client.sendMessage<string>(new Start(`partner-${key}`), new AgentId('pingpong', key))));
    for (const reply of replies) expect(reply).toMatch(/^answered inside the turn by /);
  });

  it('cancellation and one trace across processes', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    // 16 partitions: each worker surely owns some of every type (the keys below are chosen by owner).
    const c = await clusters.open({ partitions: 16, rpcTimeoutMs: 10_000, tracerProvider: provider });
    const a = await c.worker('a', { TRACE: '1' });
    const b = await c.worker('b', { TRACE: '1' });
    await c.settled([a, b]);

    // Aborting the caller's signal rejects it at once and cancels the handler's token on its host.
    const controller = new AbortController();
    const waitKey = await c.keyOwnedBy(b, 'echo');
    const call = c.client.sendMessage(new Wait(60_000), new AgentId('echo', waitKey), { signal: controller.signal });
    await b.waitFor((e) => e.type === 'waiting');
    controller.abort(new Error('the user closed the tab'));
    await expect(call).rejects.toMatchObject({ name: 'CancelledError', cause: { message: 'the user closed the tab' } });
    await b.waitFor((e) => e.type === 'cancelled');

    // client → pingpong (on a) → bouncer (on b) → pingpong (on a): one connected trace.
    const partner = await c.keyOwnedBy(b, 'bouncer', 'partner');
    const pingpong = await c.keyOwnedBy(a, 'pingpong');
    const reply = await c.client.sendMessage<string>(new Start(partner), new AgentId('pingpong', pingpong));
    expect(reply).toMatch(/^answered inside the turn by a-/);
    const local = exporter.getFinishedSpans().filter((span) => span.name.includes('pingpong'));
    const traceId = local[0]!.spanContext().traceId;
    await expect.poll(() => [a, b].map((w) => w.all('span').filter((span) => span['traceId'] === traceId).length > 0)).toEqual([true, true]);
    // The workers report their spans over IPC as each ends: wait until every one has come, that is
    // until every span hangs from the client's first one (a missing parent would make another root).
    const roots = (): unknown[] => {
      const spans = [
        ...exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId).map((span) => ({ id: span.spanContext().spanId, parent: span.parentSpanContext?.spanId })),
        ...[a, b].flatMap((w) => w.all('span').filter((span) => span['traceId'] === traceId).map((span) => ({ id: span['spanId'] as string, parent: span['parentSpanId'] as string | undefined }))),
      ];
      const ids = new Set(spans.map((span) => span.id));
      return spans.filter((span) => span.parent === undefined || !ids.has(span.parent));
    };
    await expect.poll(() => roots().length, { timeout: 10_000, interval: 50 }).toBe(1);
  });

  it('kill -9 of a worker under RPC and publish traffic: every call settles, nothing acknowledged is lost', async () => {
    const c = await open();
    const a = await c.worker('a');
    const b = await c.worker('b');
    await c.settled([a, b]);
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const acknowledged = new Map<string, number>(keys.map((key) => [key, 0]));
    let stop = false;
    const outcomes: string[] = [];
    const traffic = (async () => {
      for (let round = 0; !stop; round++) {
        const key = keys[round % keys.length]!;
        const rpc = c.client.sendMessage<number>(new Increment(1), new AgentId('counter', key)).then(
          () => outcomes.push('ok'),
          (error: Error) => outcomes.push(error.name),
        );
        await c.client.publishMessage(new Bump(), new MessageChannel('bumps', key));
        acknowledged.set(key, acknowledged.get(key)! + 1);
        await rpc;
      }
    })();
    traffic.catch(() => {}); // awaited below; this keeps an early failure from going unhandled
    await expect.poll(() => outcomes.length, { timeout: 20_000, message: 'traffic under way before the kill' }).toBeGreaterThanOrEqual(8);
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    await b.waitFor((e) => e.type === 'status' && e['owned'] === 20, 20_000, 'all partitions');
    const failover = Date.now() - killedAt;
    // Traffic goes on with b alone: a round of calls (one per key) handled after the takeover.
    const afterFailover = outcomes.length;
    await expect
      .poll(() => outcomes.slice(afterFailover).filter((o) => o === 'ok').length, { timeout: 30_000, message: 'calls handled after the takeover' })
      .toBeGreaterThanOrEqual(keys.length);
    stop = true;
    await traffic;
    // Every RPC settled: handled (by the new host) or a DeliveryTimeoutError, never anything else.
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'DeliveryTimeoutError')).toEqual([]);
    const okIncrements = outcomes.filter((o) => o === 'ok').length;
    // Bumps were acknowledged: each counted exactly once; increments counted at least for every ok.
    const totals = await Promise.all(keys.map((key) => c.counter(key)));
    const bumps = [...acknowledged.values()].reduce((x, y) => x + y, 0);
    expect(totals.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(bumps + okIncrements);
    expect(totals.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(bumps + outcomes.length);
    console.info(`failover after kill -9: ${failover} ms (lease TTL 1500 ms)`);
  });

  it('SIGSTOP a worker past its lease, then SIGCONT: it neither commits nor acks; the new owner\'s state wins', async () => {
    const c = await open();
    // Turns of a second: the pause, sent as soon as the second turn has begun, falls inside it.
    const a = await c.worker('a', { TURN_MS: '1000' });
    await c.settled([a]);
    const target = new AgentId('counter', 'paused');
    const first = await c.client.sendMessage<number>(new Increment(1), target);
    expect(first).toBe(1);
    const inFlight = c.client.sendMessage<number>(new Increment(10), target).catch((error: Error) => error.name);
    await a.waitFor(() => a.all('turn-start').length === 2, 20_000, 'the second turn to begin');
    await a.pause();
    const b = await c.worker('b');
    await b.waitFor((e) => e.type === 'status' && e['owned'] === 20, 20_000, 'all partitions');
    const afterTakeover = await c.client.sendMessage<number>(new Increment(100), target);
    const resumedAt = a.events.length;
    a.signal('SIGCONT');
    const late = await inFlight;
    // The paused process finishes the turn in memory only after SIGCONT (else the pause missed it).
    const paused = await a.waitFor((e) => e.type === 'turn' && e['n'] === 11, 20_000, 'the paused turn to end');
    expect(a.events.indexOf(paused)).toBeGreaterThanOrEqual(resumedAt);
    // The paused turn's increment (10) was handled again by the new owner, which answered its caller;
    // whatever the paused process did after SIGCONT changed nothing stored.
    expect(late).toBe(11);
    expect(afterTakeover).toBe(111);
    expect(await c.counter('paused')).toBe(111);
  });

  it('restart of nats-server under load: the processes reconnect and go on; nothing acknowledged is lost', async (ctx) => {
    if (!nats.server.canRestart) ctx.skip('NATS_URL is set: this test restarts its own nats-server');
    const c = await open();
    const a = await c.worker('a');
    const b = await c.worker('b');
    await c.settled([a, b]);
    let published = 0;
    const publishing = (async () => {
      for (let i = 0; i < 200; i++) {
        await c.client.publishMessage(new Bump(), new MessageChannel('bumps', `r${i % 5}`));
        published++;
      }
    })();
    publishing.catch(() => {});
    await expect.poll(() => published, { timeout: 20_000, message: 'publishing under way before the restart' }).toBeGreaterThanOrEqual(20);
    await nats.server.restart();
    await publishing;
    expect(published).toBe(200);
    await expect.poll(async () => (await Promise.all(Array.from({ length: 5 }, (_, i) => c.counter(`r${i}`)))).reduce((x, y) => x + y, 0), {
      timeout: 20_000,
      interval: 250,
    }).toBe(200);
  });

  it('scale 1 → 3 → 1 workers under traffic: never two live owners of an agent, nothing lost', async () => {
    const c = await open();
    const a = await c.worker('a', { TURN_MS: '2' });
    await c.settled([a]);
    let stop = false;
    let sent = 0;
    const keys = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        await c.client.publishMessage(new Bump(), new MessageChannel('bumps', keys[i % keys.length]!));
        sent++;
      }
    })();
    traffic.catch(() => {}); // awaited below; this keeps an early failure from going unhandled
    const b = await c.worker('b', { TURN_MS: '2' });
    const d = await c.worker('d', { TURN_MS: '2' });
    await c.settled([a, b, d]);
    b.send({ type: 'stop' });
    d.send({ type: 'stop' });
    await Promise.all([b.waitFor((e) => e.type === 'stopped', 20_000), d.waitFor((e) => e.type === 'stopped', 20_000)]);
    await c.settled([a]);
    stop = true;
    await traffic;
    await expect.poll(async () => (await Promise.all(keys.map((key) => c.counter(key)))).reduce((x, y) => x + y, 0), { timeout: 20_000 }).toBe(sent);
    expectSerialTurns(c.turns());
    const owners = new Set(c.turns().map((turn) => turn.processId));
    expect(owners.size).toBeGreaterThan(1);
  });
});
