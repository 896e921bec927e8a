import { CollectingEventLogger, AgentActivatedEvent, AgentDeactivatedEvent, StateSaveFailedEvent, type EventLogger } from '@agentopera/telemetry';
import { InMemoryStateStore } from '@agentopera/state';
import { AgentId, markNoOpLifecycle } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { ControllableStore, CounterAgent, StoreFailure, eventually } from './test-utils/lifecycle-agents.js';
import { deferred, tick } from './test-utils/test-agent.js';

let engine: LocalAgentEngine;

afterEach(async () => {
  await engine.close().catch(() => undefined);
});

function counters(built: CounterAgent[]): () => CounterAgent {
  return () => {
    const agent = new CounterAgent((_message, _ctx, self) => self.count);
    built.push(agent);
    return agent;
  };
}

const idOf = (key: string): AgentId => new AgentId('counter', key);

describe('idleTimeoutMs', () => {
  it('deactivates an idle agent (saved, closed, dropped) and brings it back with its state', async () => {
    const store = new ControllableStore();
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ stateStore: store, eventLogger: logger });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counters(built), { idleTimeoutMs: 5 });
    engine.start();
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(1);
    await eventually(() => engine.activeAgentCount === 0, 'the idle agent is deactivated');
    expect(built[0].closed).toBe(true);
    expect(await store.count(idOf('a'))).toBe(1);
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(2);
    expect(built).toHaveLength(2);
    expect(built[1].loaded).toEqual({ count: 1 });
    const lifecycle = logger.events.filter((e) => e instanceof AgentActivatedEvent || e instanceof AgentDeactivatedEvent).map((e) => e.toJSON());
    expect(lifecycle).toEqual([
      { type: 'AgentActivated', agentId: 'counter/a', stateLoaded: false },
      { type: 'AgentDeactivated', agentId: 'counter/a', reason: 'idle', stateSaved: true },
      { type: 'AgentActivated', agentId: 'counter/a', stateLoaded: true },
    ]);
    expect(engine.lifecycleCounts).toEqual({ activated: 2, deactivated: 1 });
  });

  it('also deactivates an agent built ahead with get(…, { lazy: false }) that no message reached', async () => {
    engine = new LocalAgentEngine({ stateStore: new ControllableStore() });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counters(built), { idleTimeoutMs: 5 });
    engine.start();
    await engine.get(idOf('a'), undefined, { lazy: false });
    expect(engine.activeAgentCount).toBe(1);
    await eventually(() => engine.activeAgentCount === 0, 'the unused agent is deactivated');
    expect(built[0].closed).toBe(true);
  });

  it('never deactivates an agent while a handler runs', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    await engine.registerAgentBuilder('counter', () => new CounterAgent(() => gate.promise), { idleTimeoutMs: 1 });
    engine.start();
    const pending = engine.sendMessage('slow', idOf('a'));
    await tick(20);
    expect(engine.activeAgentCount).toBe(1);
    gate.resolve();
    await pending;
    await eventually(() => engine.activeAgentCount === 0, 'it is deactivated once idle');
  });

  it('keeps an agent whose save fails active, reports it, and tries again later', async () => {
    const store = new ControllableStore();
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ stateStore: store, eventLogger: logger });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counters(built), { idleTimeoutMs: 2 });
    engine.start();
    store.failSets = true;
    await engine.sendMessage('tick', idOf('a'));
    await eventually(() => logger.events.filter((e) => e instanceof StateSaveFailedEvent).length >= 2, 'two failed attempts are reported');
    expect(engine.activeAgentCount).toBe(1);
    expect(built[0].closed).toBe(false);
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(2); // same instance, state intact
    store.failSets = false;
    await eventually(() => engine.activeAgentCount === 0, 'a later attempt succeeds');
    expect(await store.count(idOf('a'))).toBe(2);
  });
});

describe('a message that arrives during a deactivation', () => {
  it('waits for it and is handled by the new instance, never the closing one', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counters(built));
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    const hold = deferred();
    store.holdSets = hold.promise;
    const deactivation = engine.deactivate(idOf('a'));
    await tick();
    const during = engine.sendMessage('tick', idOf('a'));
    await tick();
    expect(built).toHaveLength(1);
    store.holdSets = undefined;
    hold.resolve();
    expect(await deactivation).toBe(true);
    expect(await during).toBe(2);
    expect(built).toHaveLength(2);
    expect(built[0].lateMessages).toBe(0);
    expect(built[0].handled).toHaveLength(1);
  });
});

describe('maxActiveAgents', () => {
  it('deactivates the least recently used idle agent before activating one beyond the cap', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store, maxActiveAgents: 2 });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counters(built));
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    await engine.sendMessage('tick', idOf('b'));
    await engine.sendMessage('tick', idOf('a')); // b is now the least recently used
    await engine.sendMessage('tick', idOf('c'));
    expect(engine.activeAgentCount).toBe(2);
    expect(built.find((agent) => agent.id.key === 'b')?.closed).toBe(true);
    expect(built.find((agent) => agent.id.key === 'a')?.closed).toBe(false);
    expect(await engine.sendMessage('tick', idOf('b'))).toBe(2);
  });

  it('activates beyond the cap when no agent is idle, and sheds the excess once they fall idle', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store, maxActiveAgents: 1 });
    const gate = deferred();
    await engine.registerAgentBuilder('counter', () => new CounterAgent(() => gate.promise));
    engine.start();
    const calls = ['a', 'b', 'c'].map((key) => engine.sendMessage('wait', idOf(key)));
    await tick();
    expect(engine.activeAgentCount).toBe(3);
    gate.resolve();
    await Promise.all(calls);
    await eventually(() => engine.activeAgentCount === 1, 'the excess is deactivated');
  });

  it('counts instances from registerAgentInstance but never deactivates them', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store, maxActiveAgents: 1 });
    const pinned = new CounterAgent();
    await engine.registerAgentInstance(pinned, new AgentId('pinned', 'x'));
    await engine.registerAgentBuilder('counter', counters([]));
    engine.start();
    await engine.sendMessage('tick', new AgentId('pinned', 'x'));
    await engine.sendMessage('tick', idOf('a'));
    await engine.sendMessage('tick', idOf('b'));
    expect(pinned.closed).toBe(false);
    expect(await engine.deactivate(new AgentId('pinned', 'x'))).toBe(false);
    // The instance alone fills the cap: built agents are shed as soon as they fall idle, never it.
    await eventually(() => engine.activeAgentCount === 1, 'only the instance stays');
    expect(pinned.closed).toBe(false);
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(2);
  });

  it('builds an agent once when it is looked up while its own activation is making room', async () => {
    // Every step ends at once here (a synchronous store, no-op lifecycle methods), so the lookup
    // from the event logger arrives while the activation of b is still on the stack.
    class Stateless extends CounterAgent {}
    Stateless.prototype.saveState = markNoOpLifecycle(async () => ({}));
    Stateless.prototype.loadState = markNoOpLifecycle(async () => undefined);
    Stateless.prototype.close = markNoOpLifecycle(async () => undefined);
    const built: Stateless[] = [];
    let lookup: Promise<unknown> | undefined;
    const logger: EventLogger = {
      isEnabled: () => true,
      log: (event) => {
        if (event instanceof AgentDeactivatedEvent) lookup ??= engine.tryGetUnderlyingAgentInstance(idOf('b'));
      },
    };
    engine = new LocalAgentEngine({ stateStore: new InMemoryStateStore(), maxActiveAgents: 1, eventLogger: logger });
    await engine.registerAgentBuilder('counter', () => {
      const agent = new Stateless();
      built.push(agent);
      return agent;
    });
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    await engine.sendMessage('tick', idOf('b')); // deactivates a to make room
    expect(built.map((agent) => agent.id.key)).toEqual(['a', 'b']);
    expect(await lookup).toBe(built[1]);
    expect(built[1].handled).toEqual(['tick']);
  });

  it('keeps memory bounded over many distinct ids', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store, maxActiveAgents: 10 });
    await engine.registerAgentBuilder('counter', counters([]));
    engine.start();
    let peak = 0;
    for (let n = 0; n < 500; n++) {
      await engine.sendMessage('tick', idOf(`k${n}`));
      peak = Math.max(peak, engine.activeAgentCount);
    }
    expect(peak).toBeLessThanOrEqual(10);
    for (let n = 0; n < 500; n += 50) expect(await engine.sendMessage('tick', idOf(`k${n}`))).toBe(2);
  });
});

describe('close()', () => {
  it('also closes an agent whose activation was still waiting for room under the cap', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store, maxActiveAgents: 1 });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counters(built));
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    const hold = deferred();
    store.holdSets = hold.promise; // a's deactivation (to make room for b) waits on its save
    const toB = engine.sendMessage('tick', idOf('b'));
    await tick();
    const closing = engine.close();
    await tick();
    store.holdSets = undefined;
    hold.resolve();
    await closing;
    await toB.catch(() => undefined);
    expect(built.map((agent) => [agent.id.key, agent.closed])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(engine.activeAgentCount).toBe(0);
    expect(engine.lifecycleCounts.activated).toBe(engine.lifecycleCounts.deactivated);
  });
});

describe('deactivate(id)', () => {
  it('resolves false for an agent that is not active or an unknown one', async () => {
    engine = new LocalAgentEngine({ stateStore: new ControllableStore() });
    await engine.registerAgentBuilder('counter', counters([]));
    expect(await engine.deactivate(idOf('never-used'))).toBe(false);
    expect(await engine.deactivate(new AgentId('unknown', 'x'))).toBe(false);
    await expect(engine.deactivate('counter/a' as unknown as AgentId)).rejects.toThrow(/needs an AgentId, got "counter\/a"/);
  });

  it('waits for running handlers, then deactivates', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', () => {
      const agent = new CounterAgent(() => gate.promise);
      built.push(agent);
      return agent;
    });
    engine.start();
    const call = engine.sendMessage('slow', idOf('a'));
    await tick();
    const deactivation = engine.deactivate(idOf('a'));
    await tick();
    expect(built[0].closed).toBe(false);
    gate.resolve();
    await call;
    expect(await deactivation).toBe(true);
    expect(built[0].closed).toBe(true);
  });

  it('rejects with the store error and leaves the agent active when the save fails', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    await engine.registerAgentBuilder('counter', counters([]));
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    store.failSets = true;
    await expect(engine.deactivate(idOf('a'))).rejects.toBeInstanceOf(StoreFailure);
    expect(engine.activeAgentCount).toBe(1);
    store.failSets = false;
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(2);
  });
});

describe('lifecycle methods marked as having no effect (noOpLifecycle)', () => {
  const calls: string[] = [];
  class Marked extends CounterAgent {}
  Marked.prototype.saveState = markNoOpLifecycle(async () => {
    calls.push('saveState');
    return { count: 99 };
  });
  Marked.prototype.close = markNoOpLifecycle(async () => {
    calls.push('close');
  });

  it('are skipped: a marked saveState stores {}, a marked close is not called', async () => {
    calls.length = 0;
    const store = new InMemoryStateStore();
    engine = new LocalAgentEngine({ stateStore: store });
    await engine.registerAgentBuilder('counter', () => new Marked());
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    expect(await engine.deactivate(idOf('a'))).toBe(true);
    expect(calls).toEqual([]);
    expect((await store.get(idOf('a')))?.state).toEqual({});
  });

  it('an override of a marked method is called, even one that calls super', async () => {
    calls.length = 0;
    class Overriding extends Marked {
      override async close(): Promise<void> {
        calls.push('override');
        await super.close();
      }
    }
    engine = new LocalAgentEngine({ stateStore: new InMemoryStateStore() });
    await engine.registerAgentBuilder('counter', () => new Overriding());
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    expect(await engine.deactivate(idOf('a'))).toBe(true);
    expect(calls).toEqual(['override', 'close']);
  });
});

describe('stop() while agents are deactivated', () => {
  it('does not save an instance deactivated while it was saving others (its next instance owns the state)', async () => {
    const store = new ControllableStore();
    const gate = deferred();
    const writes: string[] = [];
    const set = store.set.bind(store);
    // Holds the writes of counter/a only, so counter/b can be deactivated meanwhile.
    store.set = async (id, state, options) => {
      writes.push(id.key);
      if (id.key === 'a') await gate.promise;
      return set(id, state, options);
    };
    engine = new LocalAgentEngine({ stateStore: store });
    await engine.registerAgentBuilder('counter', counters([]));
    engine.start();
    await engine.sendMessage('tick', idOf('a'));
    await engine.sendMessage('tick', idOf('b'));
    const stopping = engine.stop(); // saves a first (held), then comes to b
    await eventually(() => writes.includes('a'), 'stop() is saving a');
    expect(await engine.deactivate(idOf('b'))).toBe(true);
    gate.resolve();
    await stopping;
    // Before the fix, stop() went on to save b's retired instance: a second write of b that a
    // later instance of b, loaded from the deactivation's save, would conflict with.
    expect(writes).toEqual(['a', 'b']);
  });
});
