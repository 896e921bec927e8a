import { headers } from '@nats-io/transport-node';
import { RoutedAgent, event, rpc } from '@agentopera/agents';
import { ClassJsonMessageSerializer } from '@agentopera/serialization';
import { TypeSubscription } from '@agentopera/subscriptions';
import { NoopEventLogger } from '@agentopera/telemetry';
import { AgentId, MessageChannel, type AgentState } from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { Bump, Get, Increment, Ping, Poison, registerTestAgents, registerTestSerializers, testSubscriptions } from '../test-utils/test-agents.js';
import { partitionOf } from '../partition.js';
import { PublishFailedError } from '../cluster/jetstream-publisher.js';
import { DuplicateMessageError } from '../errors.js';
import { NatsAgentEngine } from './nats-agent-engine.js';
import { TEST_TIMINGS } from '../test-utils/test-cluster.js';
import { H, messageHeader } from './wire.js';

/** Published to a per-turn persisted agent whose handler changes its state, then fails. */
class HalfDone {}

// One engine hosting the test agents; raw messages are written to its inbox stream by hand to
// play redeliveries and hostile senders.
describe('NatsAgentEngine delivery guarantees and hostile input', { timeout: 30_000 }, () => {
  const nats = useNats();
  const engines: NatsAgentEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => {})));
  });

  async function host(): Promise<NatsAgentEngine> {
    const engine = await NatsAgentEngine.connect({
      servers: nats.server.url,
      cluster: uniqueName('c'),
      partitions: 4,
      timings: TEST_TIMINGS,
      rpcTimeoutMs: 5000,
      eventLogger: new NoopEventLogger(), // the failures below are on purpose
    });
    engines.push(engine);
    await registerTestAgents(engine, { processId: engine.processId });
    registerTestSerializers(engine);
    for (const subscription of testSubscriptions()) await engine.subscribe(subscription);
    await engine.start();
    return engine;
  }

  /** Stores an agent-bound message by hand, as a redelivery or a hostile sender would. */
  async function raw(engine: NatsAgentEngine, to: AgentId, typeName: string, body: string, messageId: string): Promise<void> {
    const kind = 'event';
    const h = headers();
    h.set(H.message, messageHeader({ kind, to: to.toString(), typeName, messageId, from: undefined, channel: `bumps/${to.key}` }));
    const subject = engine.names.inboxSubject(to.type, partitionOf(to.type, to.key, 4), to.key);
    await nats.js.publish(subject, new TextEncoder().encode(body), { headers: h });
  }

  it('the same message id twice changes a per-turn persisted counter once, however it comes back', async () => {
    const engine = await host();
    const counter = new AgentId('counter', 'dup');
    expect(await engine.sendMessage(new Increment(1), counter, { messageId: 'dup-1' })).toBe(1);
    // Sent again with the same id: the counter committed that id, so its host refuses it, and the caller hears so.
    await expect(engine.sendMessage(new Increment(1), counter, { messageId: 'dup-1' })).rejects.toBeInstanceOf(DuplicateMessageError);
    // Published twice with one id: stored once.
    await engine.publishMessage(new Bump(), new MessageChannel('bumps', 'dup'), { messageId: 'bump-1' });
    await engine.publishMessage(new Bump(), new MessageChannel('bumps', 'dup'), { messageId: 'bump-1' });
    // A redelivery after the save (a nak, or a copy past the duplicate window): skipped by the
    // ids committed with the state.
    await raw(engine, counter, 'Bump', '{}', 'bump-1');
    await raw(engine, counter, 'Increment', '{"by":1}', 'dup-1');
    await raw(engine, counter, 'Bump', '{}', 'bump-2');
    await vi.waitFor(async () => expect(await engine.sendMessage(new Get(), counter)).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await engine.sendMessage(new Get(), counter)).toBe(3);
  });

  it('poison messages end in the dead-letter stream after the maximum deliveries; others go through', async () => {
    const engine = await host();
    await raw(engine, new AgentId('counter', 'p'), 'Increment', '{not json', 'bad-json');
    await raw(engine, new AgentId('counter', 'p'), 'Increment', '{"__proto__":{"polluted":true},"by":5}', 'proto');
    await engine.publishMessage(new Poison(), new MessageChannel('poison', 'x'));
    await engine.publishMessage(new Bump(), new MessageChannel('bumps', 'p'));
    await vi.waitFor(async () => expect((await nats.jsm.streams.info(engine.names.deadLetterStream)).state.messages).toBe(3), { timeout: 15_000 });
    const reasons: string[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      const letter = await nats.jsm.streams.getMessage(engine.names.deadLetterStream, { seq });
      reasons.push(`${letter!.header.get('ao-dead-deliveries')} ${letter!.header.get('ao-dead-reason')}`);
    }
    expect(reasons.join('\n')).toMatch(/^4 its handling failed: DeserializationError: .*not valid JSON.* on each of 4 deliveries$/m);
    expect(reasons.join('\n')).toMatch(/^4 its handling failed: DeserializationError: .*"__proto__"/m);
    expect(reasons.join('\n')).toMatch(/^4 its handling failed: Error: this handler fails on every delivery on each of 4 deliveries$/m);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await engine.sendMessage(new Get(), new AgentId('counter', 'p'))).toBe(1);
    await vi.waitFor(async () => expect((await nats.jsm.streams.info(engine.names.inboxStream)).state.messages).toBe(0));
  });

  it("a failing published message to a 'turn' agent commits nothing: redelivered from the committed state, then dead-lettered (defect 5)", async () => {
    const engine = await host();
    // The state each delivery found when it started (each must start from the committed 0).
    const seenAtStart: number[] = [];
    class HalfDoneAgent extends RoutedAgent {
      n = 0;
      constructor() {
        super('changes its state, then fails');
      }
      @event(HalfDone)
      async halfDone(): Promise<void> {
        seenAtStart.push(this.n);
        this.n += 1; // half done
        throw new Error('fails after changing its state');
      }
      @rpc(Get)
      async get(): Promise<number> {
        return this.n;
      }
      override async saveState(): Promise<AgentState> {
        return { n: this.n };
      }
      override async loadState(state: AgentState): Promise<void> {
        this.n = Number(state['n'] ?? 0);
      }
    }
    // Registered after start(): hosted from then on (the engine claims the type's partitions).
    await HalfDoneAgent.register(engine, 'halfdone', () => new HalfDoneAgent(), { concurrency: 'serial', persistence: 'turn' });
    engine.registerMsgSerializer([new ClassJsonMessageSerializer(HalfDone)]);
    await engine.subscribe(new TypeSubscription('halfdone', 'halfdone', 'halfdone-sub'));
    await engine.publishMessage(new HalfDone(), new MessageChannel('halfdone', 'x'));
    // Before the fix: one run, its half-done state committed with its message id, nothing dead-lettered.
    await vi.waitFor(async () => expect((await nats.jsm.streams.info(engine.names.deadLetterStream)).state.messages).toBe(1), { timeout: 15_000 });
    const letter = await nats.jsm.streams.getMessage(engine.names.deadLetterStream, { seq: 1 });
    expect(letter!.header.get('ao-dead-reason')).toContain('fails after changing its state');
    expect(seenAtStart).toEqual([0, 0, 0, 0]); // maxDeliveries (TEST_TIMINGS), each from the committed state
    expect(await engine.sendMessage(new Get(), new AgentId('halfdone', 'x'))).toBe(0);
  });

  it('a message over the server\'s max_payload fails at the sender with a clear error; the engine goes on', async () => {
    const engine = await host();
    const huge = new Ping('x'.repeat((nats.nc.info?.max_payload ?? 1 << 20) + 10));
    await expect(engine.sendMessage(huge, new AgentId('echo', 'big'))).rejects.toThrow(PublishFailedError);
    await expect(engine.sendMessage(huge, new AgentId('echo', 'big'))).rejects.toThrow(/max_payload/);
    expect(await engine.sendMessage(new Ping('small'), new AgentId('echo', 'big'))).toMatchObject({ echo: 'small' });
  });

  it('hostile ids reach exactly their own agent, never a wildcard or another agent\'s subject', async () => {
    const engine = await host();
    const keys = ['.', '*', '>', 'a.b', 'a.*', 'a b', 'a/b', '', '..', 'ключ', '😀', 'line\nbreak', '\ud800', 'x'.repeat(1000), 'x'.repeat(999)];
    const answers = await Promise.all(keys.map((key) => engine.sendMessage<{ key: string }>(new Ping(key), new AgentId('echo', key))));
    expect(answers.map((answer) => answer.key)).toEqual(keys);
    for (const key of keys) await engine.publishMessage(new Bump(), new MessageChannel('bumps', key));
    await vi.waitFor(async () => {
      const counts = await Promise.all(keys.map((key) => engine.sendMessage<number>(new Get(), new AgentId('counter', key))));
      expect(counts).toEqual(keys.map(() => 1));
    });
  });
});
