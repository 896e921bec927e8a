import { AgentDeactivatedEvent, CollectingEventLogger } from '@agentopera/telemetry';
import { AgentId, CancelledError, type AgentConcurrency } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { ControllableStore, CounterAgent, eventually, type CounterHandler } from './test-utils/lifecycle-agents.js';
import { deferred } from './test-utils/test-agent.js';
import { TurnNotCommittedError } from './turn-not-committed-error.js';

// A save never captures a running handler's half-done work, and a failed turn commits nothing
// (docs/lifecycle.md).

let engine: LocalAgentEngine;

afterEach(async () => {
  await engine.close({ signal: AbortSignal.timeout(2000) }).catch(() => undefined);
});

const idOf = (key: string): AgentId => new AgentId('counter', key);

/**
 * Lets everything `stop()`/`close()` can do without the handler run to its end: the store here
 * answers in microtasks, so one macrotask later an engine that does not wait has saved and closed.
 */
const afterPendingMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class Boom extends Error {
  override readonly name = 'Boom';
}

/**
 * A counter whose 'slow' handler adds 10 after `gate` opens (CounterAgent has already added 1: the
 * half-done change), whose 'boom' handler fails after its +1, and which counts anything else.
 */
function counterBuilder(built: CounterAgent[], gate: Promise<void>, seen: { closedAtEnd?: boolean; cancelled?: boolean } = {}): () => CounterAgent {
  const handler: CounterHandler = async (message, ctx, self) => {
    if (message === 'slow') {
      ctx.cancellationToken.addCallback(() => (seen.cancelled = true));
      await gate;
      self.count += 10;
      seen.closedAtEnd = self.closed;
    }
    if (message === 'boom') throw new Boom('half done');
    if (message === 'boom-later') {
      await gate;
      throw new Boom('half done, later');
    }
    return self.count;
  };
  return () => {
    const agent = new CounterAgent(handler);
    built.push(agent);
    return agent;
  };
}

describe('stop() and close() save an agent only once none of its handlers runs', () => {
  it.each(['stop', 'close'] as const)('%s() waits for a running serial turn, then saves its whole change and closes it', async (method) => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    const built: CounterAgent[] = [];
    const seen: { closedAtEnd?: boolean } = {};
    await engine.registerAgentBuilder('counter', counterBuilder(built, gate.promise, seen), { concurrency: 'serial', persistence: 'deactivate' });
    engine.start();
    const slow = engine.sendMessage('slow', idOf('a'));
    await eventually(() => built[0]?.running === 1, 'the slow handler runs');
    const stopped = method === 'stop' ? engine.stop() : engine.close();
    await afterPendingMicrotasks();
    gate.resolve();
    await stopped;
    await slow;
    // Before the fix: saved as 1 (the half-done +1 only) and closed while the handler ran.
    expect(await store.count(idOf('a'))).toBe(11);
    expect(seen.closedAtEnd).toBe(false);
  });

  it('deactivate(id) too waits for the running turn, and the one queued behind it, before it saves', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counterBuilder(built, gate.promise), { concurrency: 'serial', persistence: 'deactivate' });
    engine.start();
    const calls = [engine.sendMessage('slow', idOf('a')), engine.sendMessage('tick', idOf('a'))];
    await eventually(() => built[0]?.running === 1, 'the slow handler runs');
    const deactivated = engine.deactivate(idOf('a'));
    await afterPendingMicrotasks();
    gate.resolve();
    expect(await deactivated).toBe(true);
    expect(await Promise.all(calls)).toEqual([11, 12]);
    expect(await store.count(idOf('a'))).toBe(12);
  });

  it('close() waits for every running handler of a concurrent agent', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counterBuilder(built, gate.promise), { persistence: 'deactivate' });
    engine.start();
    const slow = [engine.sendMessage('slow', idOf('a')), engine.sendMessage('slow', idOf('a'))];
    await eventually(() => built[0]?.running === 2, 'both handlers run');
    const closed = engine.close();
    await afterPendingMicrotasks();
    gate.resolve();
    await closed;
    await Promise.all(slow);
    expect(await store.count(idOf('a'))).toBe(22);
    expect(built[0].closed).toBe(true);
  });

  it.each(['stop', 'close'] as const)(
    '%s({ signal }): on abort the running handler is cancelled and the agent keeps its last committed state',
    async (method) => {
      const store = new ControllableStore();
      engine = new LocalAgentEngine({ stateStore: store });
      const built: CounterAgent[] = [];
      const seen: { cancelled?: boolean } = {};
      await engine.registerAgentBuilder('counter', counterBuilder(built, new Promise<void>(() => undefined), seen), {
        concurrency: 'serial',
        persistence: 'deactivate',
      });
      engine.start();
      expect(await engine.sendMessage('tick', idOf('a'))).toBe(1);
      const slow = engine.sendMessage('slow', idOf('a'));
      await eventually(() => built[0]?.running === 1, 'the never-ending handler runs');
      const controller = new AbortController();
      const stopped = method === 'stop' ? engine.stop({ signal: controller.signal }) : engine.close({ signal: controller.signal });
      controller.abort(new Error('shutdown deadline'));
      await stopped;
      await expect(slow).rejects.toBeInstanceOf(CancelledError);
      expect(seen.cancelled).toBe(true);
      // Persisted on deactivation and its handler never finished: nothing half-done is stored.
      expect(await store.count(idOf('a'))).toBeUndefined();
      await engine.close({ signal: controller.signal });
    },
  );
});

describe("a failed turn commits nothing (persistence: 'turn')", () => {
  it.each(['serial', 'concurrent'] as AgentConcurrency[])('%s: the instance is dropped unsaved and the next message starts from the committed state', async (concurrency) => {
    const store = new ControllableStore();
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ stateStore: store, eventLogger: logger });
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counterBuilder(built, Promise.resolve()), { concurrency, persistence: 'turn' });
    engine.start();
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(1);
    await expect(engine.sendMessage('boom', idOf('a'))).rejects.toBeInstanceOf(Boom);
    // Before the fix: the half-done +1 of 'boom' was saved (2) and the next tick answered 3.
    expect(await store.count(idOf('a'))).toBe(1);
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(2);
    expect(built).toHaveLength(2);
    expect(built[1].loaded).toEqual({ count: 1 });
    await eventually(() => built[0].closed, 'the dropped instance is closed');
    const dropped = logger.events.filter((event) => event instanceof AgentDeactivatedEvent).map((event) => event.toJSON());
    expect(dropped).toEqual([{ type: 'AgentDeactivated', agentId: 'counter/a', reason: 'failed-turn', stateSaved: false }]);
  });

  it('turns waiting behind a failed turn run on the rebuilt instance, in order', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counterBuilder(built, gate.promise), { concurrency: 'serial', persistence: 'turn' });
    engine.start();
    expect(await engine.sendMessage('tick', idOf('a'))).toBe(1);
    const failing = engine.sendMessage('boom-later', idOf('a'));
    const waiting = [engine.sendMessage('w1', idOf('a')), engine.sendMessage('w2', idOf('a'))];
    await eventually(() => built[0]?.running === 1, 'the failing turn runs');
    gate.resolve();
    await expect(failing).rejects.toBeInstanceOf(Boom);
    expect(await Promise.all(waiting)).toEqual([2, 3]);
    expect(built[0].handled).toEqual(['tick', 'boom-later']);
    expect(built[1].handled).toEqual(['w1', 'w2']);
    expect(await store.count(idOf('a'))).toBe(3);
  });

  it('a handler that ends on an instance dropped meanwhile is not committed, and its caller hears so', async () => {
    const store = new ControllableStore();
    engine = new LocalAgentEngine({ stateStore: store });
    const gate = deferred();
    const built: CounterAgent[] = [];
    await engine.registerAgentBuilder('counter', counterBuilder(built, gate.promise), { persistence: 'turn' });
    engine.start();
    const slow = engine.sendMessage('slow', idOf('a'));
    await eventually(() => built[0]?.running === 1, 'the slow handler runs');
    await expect(engine.sendMessage('boom', idOf('a'))).rejects.toBeInstanceOf(Boom);
    gate.resolve();
    await expect(slow).rejects.toBeInstanceOf(TurnNotCommittedError);
    expect(await store.count(idOf('a'))).toBeUndefined();
  });
});
