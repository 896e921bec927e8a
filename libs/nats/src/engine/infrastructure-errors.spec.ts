import { jserrors } from '@nats-io/jetstream/internal';
import { RoutedAgent, event, rpc } from '@agentopera/agents';
import { TypeSubscription } from '@agentopera/subscriptions';
import { InMemoryStateStore, type StoredState } from '@agentopera/state';
import { NoopEventLogger } from '@agentopera/telemetry';
import { AgentId, MessageChannel, type AgentState } from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RemoteHandlerError } from '../errors.js';
import { isInfrastructureError } from '../jetstream-errors.js';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { Bump, Get, Increment, registerTestAgents, registerTestSerializers, testSubscriptions } from '../test-utils/test-agents.js';
import { TEST_TIMINGS } from '../test-utils/test-cluster.js';
import { NatsAgentEngine } from './nats-agent-engine.js';

/** A store whose reads fail as a KV bucket without a leader does (nats.js: `JetStreamNotEnabled`) while `down`. */
class LeaderlessStore extends InMemoryStateStore {
  down = true;
  failedReads = 0;
  /** Saves refused as by a bucket without a leader, before they succeed again. */
  refuseWrites = 0;
  override async set(id: AgentId, state: AgentState, options?: { expectedVersion?: string | null }): Promise<string> {
    if (this.refuseWrites > 0) {
      this.refuseWrites--;
      throw new jserrors.JetStreamNotEnabled('jetstream is not enabled');
    }
    return super.set(id, state, options);
  }
  override async get(id: AgentId): Promise<StoredState | undefined> {
    if (this.down) {
      this.failedReads++;
      throw new jserrors.JetStreamNotEnabled('jetstream is not enabled');
    }
    return super.get(id);
  }
}

class Lookup {}
class LookupLater {}

/** A handler calling a NATS service of its own, whose bucket has no leader: the error is the handler's. */
class OwnBucketUser extends RoutedAgent {
  constructor() {
    super('fails with a broker error of its own');
  }
  @rpc(Lookup)
  async lookup(): Promise<string> {
    throw new jserrors.JetStreamNotEnabled('its own bucket has no leader');
  }
  @event(LookupLater)
  async lookupLater(): Promise<void> {
    throw new jserrors.JetStreamNotEnabled('its own bucket has no leader');
  }
}

// An outage of the broker is not a failed delivery. Messages wait for it, retried with
// back-off, however many deliveries that takes; an RPC caller gets its answer, not the outage.
describe('NatsAgentEngine while the state bucket has no leader', { timeout: 30_000 }, () => {
  const nats = useNats();
  const engines: NatsAgentEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => {})));
  });

  /** An engine hosting the test agents on `store` (maxDeliveries 4). */
  async function host(store: LeaderlessStore): Promise<NatsAgentEngine> {
    const engine = await NatsAgentEngine.connect({
      servers: nats.server.url,
      cluster: uniqueName('c'),
      partitions: 2,
      timings: TEST_TIMINGS,
      rpcTimeoutMs: 20_000,
      stateStore: store,
      eventLogger: new NoopEventLogger(),
    });
    engines.push(engine);
    await registerTestAgents(engine, { processId: engine.processId });
    registerTestSerializers(engine);
    for (const subscription of testSubscriptions()) await engine.subscribe(subscription);
    await engine.start();
    return engine;
  }

  it('classifies the errors of a broker without leaders as infrastructure', () => {
    expect(isInfrastructureError(new jserrors.JetStreamNotEnabled('jetstream is not enabled'))).toBe(true);
    expect(isInfrastructureError(new Error('a handler failed'))).toBe(false);
  });

  it('retries a call and a publish uncounted until the store answers: nothing dead-lettered, the caller gets its answer', async () => {
    const store = new LeaderlessStore();
    const engine = await host(store);
    const counter = new AgentId('counter', 'outage');
    await engine.publishMessage(new Bump(), new MessageChannel('bumps', 'outage'));
    const call = engine.sendMessage(new Increment(10), counter);
    // Both messages are tried well past maxDeliveries while the bucket has no leader.
    await vi.waitFor(() => expect(store.failedReads).toBeGreaterThan(2 * TEST_TIMINGS.maxDeliveries), { timeout: 15_000 });
    store.down = false;
    expect(await call).toBeGreaterThanOrEqual(10);
    await vi.waitFor(async () => expect(await engine.sendMessage(new Get(), counter)).toBe(11), { timeout: 15_000 });
    expect((await nats.jsm.streams.info(engine.names.deadLetterStream)).state.messages).toBe(0);
  });

  it('the same error thrown by a handler is its failure, as on the local engine: the caller gets it at once, a publish is dead-lettered', async () => {
    const store = new LeaderlessStore();
    store.down = false;
    const engine = await host(store);
    await OwnBucketUser.register(engine, 'own_bucket', () => new OwnBucketUser());
    await engine.subscribe(new TypeSubscription('lookups', 'own_bucket'));
    const id = new AgentId('own_bucket', 'k');
    // Before: retried uncounted as if the engine's own store had failed, the caller waited for its deadline.
    const error = await engine.sendMessage(new Lookup(), id, { signal: AbortSignal.timeout(10_000) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RemoteHandlerError);
    expect(error).toMatchObject({ remoteName: 'JetStreamNotEnabled', remoteMessage: 'its own bucket has no leader' });
    await engine.publishMessage(new LookupLater(), new MessageChannel('lookups', 'k'));
    await vi.waitFor(async () => expect((await nats.jsm.streams.info(engine.names.deadLetterStream)).state.messages).toBe(1), { timeout: 15_000 });
  });

  it('a turn whose save the store refuses for a while is run again from the committed state: the caller gets its answer', async () => {
    const store = new LeaderlessStore();
    store.down = false;
    const engine = await host(store);
    const counter = new AgentId('counter', 'save-outage');
    expect(await engine.sendMessage(new Increment(1), counter)).toBe(1);
    store.refuseWrites = 2 * TEST_TIMINGS.maxDeliveries;
    expect(await engine.sendMessage(new Increment(1), counter)).toBe(2); // not 3: the refused turns committed nothing
    expect(store.refuseWrites).toBe(0);
  });
});
