import { InMemoryStateStore } from '@agentopera/state';
import { CollectingEventLogger, StateSaveFailedEvent } from '@agentopera/telemetry';
import { AgentId, InvalidStateError, type AgentState } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStoreTimeoutError } from './agent-state-persistence.js';
import { LocalAgentEngine } from './local-agent-engine.js';
import { ControllableStore, CounterAgent, StoreFailure } from './test-utils/lifecycle-agents.js';

let engine: LocalAgentEngine;
const id = new AgentId('counter', 'a');

afterEach(async () => {
  await engine.close().catch(() => undefined);
});

async function counterEngine(
  store: ControllableStore,
  persistence?: 'none' | 'deactivate' | 'turn',
  extra: ConstructorParameters<typeof LocalAgentEngine>[0] = {},
): Promise<CounterAgent[]> {
  engine = new LocalAgentEngine({ stateStore: store, ...extra });
  const built: CounterAgent[] = [];
  await engine.registerAgentBuilder(
    'counter',
    () => {
      const agent = new CounterAgent((_message, _ctx, self) => self.count);
      built.push(agent);
      return agent;
    },
    persistence === undefined ? {} : { persistence },
  );
  engine.start();
  return built;
}

describe('state store: loading', () => {
  it('loads the stored state after the builder and before the first message', async () => {
    const store = new ControllableStore();
    await store.inner.set(id, { count: 41 });
    const built = await counterEngine(store);
    expect(await engine.sendMessage('tick', id)).toBe(42);
    expect(built[0].loaded).toEqual({ count: 41 });
  });

  it("loads nothing and saves nothing for persistence: 'none'", async () => {
    const store = new ControllableStore();
    await store.inner.set(id, { count: 41 });
    const built = await counterEngine(store, 'none');
    expect(await engine.sendMessage('tick', id)).toBe(1);
    expect(built[0].loaded).toBeUndefined();
    await engine.close();
    expect(await store.count(id)).toBe(41);
  });

  it('fails the message that activates an agent whose state cannot be loaded, and keeps nothing half-built', async () => {
    const store = new ControllableStore();
    store.failGets = true;
    const built = await counterEngine(store);
    await expect(engine.sendMessage('tick', id)).rejects.toBeInstanceOf(StoreFailure);
    expect(built[0].closed).toBe(true);
    expect(engine.activeAgentCount).toBe(0);
    store.failGets = false;
    expect(await engine.sendMessage('tick', id)).toBe(1);
  });
});

describe("persistence: 'deactivate' (the default with a store)", () => {
  it('saves on stop, close and deactivate, not after each message', async () => {
    const store = new ControllableStore();
    await counterEngine(store);
    await engine.sendMessage('tick', id);
    await engine.sendMessage('tick', id);
    expect(store.sets).toBe(0);
    await engine.stop();
    expect(await store.count(id)).toBe(2);
    engine.start();
    await engine.sendMessage('tick', id);
    expect(await engine.deactivate(id)).toBe(true);
    expect(await store.count(id)).toBe(3);
    await engine.sendMessage('tick', id);
    await engine.close();
    expect(await store.count(id)).toBe(4);
  });

  it('resumes from the store in a new engine (a restarted process)', async () => {
    const store = new ControllableStore();
    await counterEngine(store);
    for (let n = 0; n < 5; n++) await engine.sendMessage('tick', id);
    await engine.close();
    await counterEngine(store);
    expect(await engine.sendMessage('tick', id)).toBe(6);
  });

  it('rejects stop() with the store error after stopping, and reports it', async () => {
    const store = new ControllableStore();
    const logger = new CollectingEventLogger();
    await counterEngine(store, undefined, { eventLogger: logger });
    await engine.sendMessage('tick', id);
    store.failSets = true;
    await expect(engine.stop()).rejects.toBeInstanceOf(StoreFailure);
    expect(logger.events.filter((event) => event instanceof StateSaveFailedEvent).map((event) => event.toJSON().occasion)).toEqual(['stop']);
    expect(() => engine.start()).not.toThrow();
  });
});

describe("persistence: 'turn'", () => {
  it('has the new state in the store when sendMessage resolves', async () => {
    const store = new ControllableStore();
    await counterEngine(store, 'turn');
    for (let n = 1; n <= 3; n++) {
      await engine.sendMessage('tick', id);
      expect(await store.count(id)).toBe(n);
    }
  });

  it("rejects the call with the store's error when the save fails; the next turn starts from the committed state and saves", async () => {
    const store = new ControllableStore();
    await counterEngine(store, 'turn');
    await engine.sendMessage('tick', id);
    store.failSets = true;
    await expect(engine.sendMessage('tick', id)).rejects.toBeInstanceOf(StoreFailure);
    store.failSets = false;
    // A failed turn commits nothing: the instance holding its +1 was dropped.
    expect(await engine.sendMessage('tick', id)).toBe(2);
    expect(await store.count(id)).toBe(2);
  });

  it('fails a call whose save never answers with StateStoreTimeoutError instead of hanging', async () => {
    const store = new ControllableStore();
    await counterEngine(store, 'turn', { stateStoreTimeoutMs: 20 });
    store.hangSets = true;
    const error = await engine.sendMessage('tick', id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreTimeoutError);
    expect((error as StateStoreTimeoutError).code).toBe('STATE_STORE_TIMEOUT');
    expect(String((error as Error).message)).toContain('counter/a');
  });

  it('a state that JSON cannot carry rejects with InvalidStateError naming the id and the path; the store is untouched', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    class MapState extends CounterAgent {
      override async saveState(): Promise<AgentState> {
        return { count: this.count, seen: new Map() };
      }
    }
    await engine.registerAgentBuilder('counter', () => new MapState(), { persistence: 'turn' });
    engine.start();
    const error = await engine.sendMessage('tick', id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toContain('counter/a');
    expect((error as Error).message).toContain('state.seen is a Map');
    expect(store.sets).toBe(0);
  });
});

describe('compare-and-set writes', () => {
  it('does not overwrite state written by someone else since it was loaded', async () => {
    const store = new ControllableStore();
    await counterEngine(store);
    await engine.sendMessage('tick', id);
    await store.inner.set(id, { count: 100 }); // another writer (a second process, an operator)
    await expect(engine.deactivate(id)).rejects.toThrow(/version|conflict/i);
    expect(await store.count(id)).toBe(100);
  });
});

describe('lifecycle options need a store, or an explicit persistence: none', () => {
  it('rejects idleTimeoutMs without a store', async () => {
    engine = new LocalAgentEngine();
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent(), { idleTimeoutMs: 10 })).rejects.toThrow(/no stateStore.*persistence: 'none'/);
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent(), { idleTimeoutMs: 10, persistence: 'none' })).resolves.toBeDefined();
  });

  it('rejects a type without persistence: none on an engine with maxActiveAgents and no store', async () => {
    engine = new LocalAgentEngine({ maxActiveAgents: 2 });
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent())).rejects.toThrow(/maxActiveAgents \(2\)/);
  });

  it('rejects persistence other than none without a store', async () => {
    engine = new LocalAgentEngine();
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent(), { persistence: 'turn' })).rejects.toThrow(/needs an engine with a stateStore/);
  });

  it.each([
    [{ idleTimeoutMs: -1 }, /idleTimeoutMs must be a positive, finite number.*-1/],
    [{ idleTimeoutMs: Number.NaN }, /idleTimeoutMs must be a positive, finite number/],
    [{ idleTimeoutMs: Infinity }, /idleTimeoutMs must be a positive, finite number/],
    [{ persistence: 'always' }, /persistence must be 'none', 'deactivate' or 'turn', got "always"/],
  ])('rejects bad registration options %o with one clear error, registering nothing', async (options, message) => {
    engine = new LocalAgentEngine({ stateStore: new InMemoryStateStore() });
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent(), options as object)).rejects.toThrow(message);
    // Nothing was registered: the type can still be registered correctly.
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent())).resolves.toBeDefined();
  });

  it.each([
    [{ maxActiveAgents: 0 }, /maxActiveAgents must be a positive integer, got 0/],
    [{ maxActiveAgents: -5 }, /maxActiveAgents must be a positive integer/],
    [{ maxActiveAgents: 1.5 }, /maxActiveAgents must be a positive integer/],
    [{ maxActiveAgents: Number.NaN }, /maxActiveAgents must be a positive integer/],
    [{ stateStoreTimeoutMs: 0 }, /stateStoreTimeoutMs must be a positive number/],
    [{ stateStore: {} }, /stateStore must be a StateStore/],
  ])('rejects bad engine options %o at construction', (options, message) => {
    expect(() => new LocalAgentEngine(options as object)).toThrow(message);
    engine = new LocalAgentEngine();
  });
});
