import { TypePrefixSubscription, TypeSubscription } from '@agentopera/subscriptions';
import {
  AgentId,
  AgentNotFoundError,
  AgentType,
  EngineStateError,
  InvalidStateError,
  MessageChannel,
  type Agent,
} from '@agentopera/types';
import { describe, expect, it, vi } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { deferred, TestAgent, tick } from './test-utils/test-agent.js';

async function engineWithEcho(): Promise<LocalAgentEngine> {
  const engine = new LocalAgentEngine();
  await engine.registerAgentBuilder('echo', () => new TestAgent());
  return engine;
}

describe('LocalAgentEngine: sending', () => {
  it('returns the handler result to the caller', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('upper', () => new TestAgent((m) => String(m).toUpperCase()));
    engine.start();
    await expect(engine.sendMessage('hi', new AgentId('upper', 'default'))).resolves.toBe('HI');
    await engine.stop();
  });

  it('builds each agent lazily, once per distinct id, and reuses it', async () => {
    const engine = new LocalAgentEngine();
    const builder = vi.fn(() => new TestAgent());
    await engine.registerAgentBuilder('echo', builder);
    expect(builder).not.toHaveBeenCalled();
    engine.start();
    await Promise.all([
      engine.sendMessage(1, new AgentId('echo', 'a')),
      engine.sendMessage(2, new AgentId('echo', 'a')),
      engine.sendMessage(3, new AgentId('echo', 'b')),
    ]);
    await engine.sendMessage(4, new AgentId('echo', 'a'));
    expect(builder).toHaveBeenCalledTimes(2);
    const a = await engine.tryGetUnderlyingAgentInstance(new AgentId('echo', 'a'), TestAgent);
    expect(a.received).toEqual([1, 2, 4]);
    await engine.stop();
  });

  it('builds agents once even with an async builder and concurrent first messages', async () => {
    const engine = new LocalAgentEngine();
    let builds = 0;
    await engine.registerAgentBuilder('slow', async () => {
      builds++;
      await tick(5);
      return new TestAgent();
    });
    engine.start();
    await Promise.all([1, 2, 3].map((n) => engine.sendMessage(n, new AgentId('slow', 'k'))));
    expect(builds).toBe(1);
    await engine.stop();
  });

  it('passes sender, isRpc and message id to the handler context', async () => {
    const engine = await engineWithEcho();
    engine.start();
    const sender = new AgentId('someone', 'x');
    await engine.sendMessage('m', new AgentId('echo', 'k'), { sender, messageId: 'id-1' });
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('echo', 'k'), TestAgent);
    const ctx = agent.contexts[0]!;
    expect([ctx.sender, ctx.isRpc, ctx.messageId, ctx.messageChannel]).toEqual([sender, true, 'id-1', null]);
    await engine.stop();
  });

  it('assigns a unique message id when none is given', async () => {
    const engine = await engineWithEcho();
    engine.start();
    await engine.sendMessage('a', new AgentId('echo', 'k'));
    await engine.sendMessage('b', new AgentId('echo', 'k'));
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('echo', 'k'), TestAgent);
    const [first, second] = agent.contexts.map((ctx) => ctx.messageId);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(first).not.toBe(second);
    await engine.stop();
  });

  it('queues messages sent before start() and handles them after', async () => {
    const engine = await engineWithEcho();
    const reply = engine.sendMessage('early', new AgentId('echo', 'k'));
    await tick();
    expect(engine.unprocessedMessagesCount).toBe(1);
    engine.start();
    await expect(reply).resolves.toBe('early');
    await engine.stop();
  });

  it('hands envelopes out in FIFO order, each in its own task (a slow handler blocks no one)', async () => {
    const engine = new LocalAgentEngine();
    const gate = deferred();
    const started: string[] = [];
    await engine.registerAgentBuilder('worker', () =>
      new TestAgent(async (message) => {
        started.push(String(message));
        if (message === 'slow') await gate.promise;
        return message;
      }),
    );
    const slow = engine.sendMessage('slow', new AgentId('worker', 'a'));
    const fast = ['f1', 'f2', 'f3'].map((m) => engine.sendMessage(m, new AgentId('worker', m)));
    engine.start();
    await expect(Promise.all(fast)).resolves.toEqual(['f1', 'f2', 'f3']);
    expect(started).toEqual(['slow', 'f1', 'f2', 'f3']);
    gate.resolve();
    await expect(slow).resolves.toBe('slow');
    await engine.stop();
  });

  it('rejects a recipient that is not an AgentId', async () => {
    const engine = await engineWithEcho();
    await expect(engine.sendMessage('m', 'echo/k' as unknown as AgentId)).rejects.toThrow(TypeError);
  });
});

describe('LocalAgentEngine: publishing', () => {
  it('delivers to the agent keyed by the channel source, including newly seen sources', async () => {
    const engine = await engineWithEcho();
    await engine.subscribe(new TypeSubscription('events', 'echo'));
    engine.start();
    await engine.publishMessage('one', new MessageChannel('events', 's1'));
    await engine.publishMessage('two', new MessageChannel('events', 's2'));
    await engine.publishMessage('ignored', new MessageChannel('other', 's1'));
    await engine.stopWhenIdle();
    const s1 = await engine.tryGetUnderlyingAgentInstance(new AgentId('echo', 's1'), TestAgent);
    const s2 = await engine.tryGetUnderlyingAgentInstance(new AgentId('echo', 's2'), TestAgent);
    expect([s1.received, s2.received]).toEqual([['one'], ['two']]);
    expect(s1.contexts[0]!.isRpc).toBe(false);
    expect(s1.contexts[0]!.messageChannel?.toString()).toBe('events/s1');
  });

  it('skips the sender and delivers once per agent even with two matching subscriptions', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('a', () => new TestAgent());
    await engine.registerAgentBuilder('b', () => new TestAgent());
    await engine.subscribe(new TypeSubscription('t', 'a'));
    await engine.subscribe(new TypeSubscription('t', 'b'));
    await engine.subscribe(new TypePrefixSubscription('t', 'b'));
    engine.start();
    await engine.publishMessage('x', new MessageChannel('t', 'k'), { sender: new AgentId('a', 'k') });
    await engine.stopWhenIdle();
    const a = await engine.tryGetUnderlyingAgentInstance(new AgentId('a', 'k'), TestAgent);
    const b = await engine.tryGetUnderlyingAgentInstance(new AgentId('b', 'k'), TestAgent);
    expect(a.received).toEqual([]);
    expect(b.received).toEqual(['x']);
  });

  it('gives every recipient of one publish the same message id', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('a', () => new TestAgent());
    await engine.registerAgentBuilder('b', () => new TestAgent());
    await engine.subscribe(new TypeSubscription('t', 'a'));
    await engine.subscribe(new TypeSubscription('t', 'b'));
    engine.start();
    await engine.publishMessage('x', new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
    const ids = await Promise.all(
      ['a', 'b'].map(async (type) => (await engine.tryGetUnderlyingAgentInstance(new AgentId(type, 'k'), TestAgent)).contexts[0]!.messageId),
    );
    expect(ids[0]).toBe(ids[1]);
  });

  it('supports cascaded publishes from inside handlers', async () => {
    const engine = new LocalAgentEngine();
    const seen: string[] = [];
    await engine.registerAgentBuilder('relay', () =>
      new TestAgent(async (message, ctx, agent) => {
        seen.push(`${agent.id.key}:${String(message)}`);
        const depth = Number(message);
        if (depth < 3) {
          await agent.engine.publishMessage(String(depth + 1), new MessageChannel('chain', String(depth + 1)), { sender: agent.id });
        }
        return ctx.messageId;
      }),
    );
    await engine.subscribe(new TypeSubscription('chain', 'relay'));
    engine.start();
    await engine.publishMessage('0', new MessageChannel('chain', '0'));
    await engine.stopWhenIdle();
    expect(seen).toEqual(['0:0', '1:1', '2:2', '3:3']);
  });

  it('rejects a channel that is not a MessageChannel', async () => {
    const engine = new LocalAgentEngine();
    await expect(engine.publishMessage('m', 'default/x' as unknown as MessageChannel)).rejects.toThrow(TypeError);
  });
});

describe('LocalAgentEngine: registration and lookup', () => {
  it('rejects a duplicate agent type and a bad type name', async () => {
    const engine = await engineWithEcho();
    await expect(engine.registerAgentBuilder('echo', () => new TestAgent())).rejects.toThrow(/"echo" is already registered/);
    await expect(engine.registerAgentBuilder('bad type', () => new TestAgent())).rejects.toThrow(TypeError);
  });

  it('returns the AgentType it registered', async () => {
    const engine = new LocalAgentEngine();
    const type = await engine.registerAgentBuilder(new AgentType('t'), () => new TestAgent());
    expect(type).toEqual(new AgentType('t'));
  });

  it('fails the message when the builder returns an instance of the wrong class', async () => {
    class Other extends TestAgent {}
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('typed', () => new Other(), { expectedClass: TestAgent });
    engine.start();
    await expect(engine.sendMessage('m', new AgentId('typed', 'k'))).rejects.toThrow(/expected an instance of TestAgent/);
    await engine.stop();
  });

  it('registers pre-built instances, binding them to their id and engine', async () => {
    const engine = new LocalAgentEngine();
    const agent = new TestAgent((m) => `instance:${String(m)}`);
    const id = new AgentId('solo', 'one');
    await expect(engine.registerAgentInstance(agent, id)).resolves.toBe(id);
    expect(agent.id).toBe(id);
    expect(agent.engine).toBe(engine);
    await expect(engine.registerAgentInstance(new TestAgent(), id)).rejects.toThrow(/"solo\/one" is already registered/);
    await expect(engine.registerAgentBuilder('solo', () => new TestAgent())).rejects.toThrow(/already registered/);
    engine.start();
    await expect(engine.sendMessage('m', id)).resolves.toBe('instance:m');
    await expect(engine.sendMessage('m', new AgentId('solo', 'two'))).rejects.toBeInstanceOf(AgentNotFoundError);
    await engine.stop();
  });

  it('refuses an instance of another class under a type that has instances, naming both classes', async () => {
    class OtherAgent extends TestAgent {}
    const engine = new LocalAgentEngine();
    await engine.registerAgentInstance(new TestAgent(), new AgentId('solo', 'one'));
    const refused = new OtherAgent();
    await expect(engine.registerAgentInstance(refused, new AgentId('solo', 'two'))).rejects.toThrow(
      'Agent type "solo" has instances of class TestAgent; an instance of OtherAgent cannot be registered under it',
    );
    expect(refused.id).toBeUndefined();
    await expect(engine.registerAgentInstance(new TestAgent(), new AgentId('solo', 'two'))).resolves.toBeInstanceOf(AgentId);
    await expect(engine.registerAgentInstance(new OtherAgent(), new AgentId('other', 'one'))).resolves.toBeInstanceOf(AgentId);
  });

  it('refuses an instance for a type that has a builder', async () => {
    const engine = await engineWithEcho();
    await expect(engine.registerAgentInstance(new TestAgent(), new AgentId('echo', 'x'))).rejects.toThrow(/has a builder/);
  });

  it('get() returns ids lazily, or builds now with lazy: false', async () => {
    const engine = new LocalAgentEngine();
    const builder = vi.fn(() => new TestAgent());
    await engine.registerAgentBuilder('t', builder);
    const id = await engine.get('t');
    expect(id.toString()).toBe('t/default');
    expect(builder).not.toHaveBeenCalled();
    await engine.get(new AgentType('t'), 'k', { lazy: false });
    expect(builder).toHaveBeenCalledTimes(1);
    await expect(engine.get('unknown')).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it('reports metadata and checks the expected class of an instance', async () => {
    const engine = await engineWithEcho();
    const id = new AgentId('echo', 'k');
    await expect(engine.agentMetadata(id)).resolves.toEqual({ type: 'echo', key: 'k', description: 'test agent' });
    class Unrelated {}
    await expect(engine.tryGetUnderlyingAgentInstance(id, Unrelated as unknown as new () => Agent)).rejects.toThrow(
      /not an instance of Unrelated/,
    );
  });

  it('rejects duplicate subscriptions and unknown unsubscribes', async () => {
    const engine = new LocalAgentEngine();
    await engine.subscribe(new TypeSubscription('t', 'a', 'sub-1'));
    await expect(engine.subscribe(new TypeSubscription('t', 'a'))).rejects.toThrow();
    await expect(engine.unsubscribe('nope')).rejects.toThrow(/nope/);
    await engine.unsubscribe('sub-1');
  });
});

describe('LocalAgentEngine: state', () => {
  it('saves every instantiated agent keyed by id and loads it back, skipping unknown types', async () => {
    const engine = await engineWithEcho();
    engine.start();
    await engine.sendMessage('a', new AgentId('echo', 'k1'));
    await engine.sendMessage('b', new AgentId('echo', 'k2'));
    await engine.stop();
    const state = await engine.saveState();
    expect(state).toEqual({ 'echo/k1': { received: 1 }, 'echo/k2': { received: 1 } });

    const fresh = await engineWithEcho();
    await fresh.loadState({ ...state, 'gone/x': { received: 9 } });
    const k1 = await fresh.tryGetUnderlyingAgentInstance(new AgentId('echo', 'k1'), TestAgent);
    expect(k1.received).toEqual([{ loaded: { received: 1 } }]);
    await expect(fresh.agentSaveState(new AgentId('echo', 'k1'))).resolves.toEqual({ received: 1 });
  });

  it.each([null, 42, 'text', [1, 2], { 'no-slash': {} }, { 'echo/k': 5 }, { 'echo/k': [1] }])(
    'rejects the malformed state %j and changes nothing',
    async (bad) => {
      const engine = await engineWithEcho();
      await expect(engine.loadState(bad as never)).rejects.toBeInstanceOf(InvalidStateError);
      await expect(engine.saveState()).resolves.toEqual({});
    },
  );

  it('validates the whole state before loading any of it', async () => {
    const engine = await engineWithEcho();
    await expect(engine.loadState({ 'echo/ok': {}, 'echo/bad': 3 } as never)).rejects.toThrow(/echo\/bad/);
    await expect(engine.saveState()).resolves.toEqual({});
  });

  it('agentLoadState rejects a non-object state', async () => {
    const engine = await engineWithEcho();
    await expect(engine.agentLoadState(new AgentId('echo', 'k'), null as never)).rejects.toBeInstanceOf(InvalidStateError);
  });
});

describe('LocalAgentEngine: lifecycle', () => {
  it('refuses start() twice and stop*() before start()', async () => {
    const engine = new LocalAgentEngine();
    await expect(engine.stop()).rejects.toBeInstanceOf(EngineStateError);
    await expect(engine.stopWhenIdle()).rejects.toBeInstanceOf(EngineStateError);
    await expect(engine.stopWhen(() => true)).rejects.toBeInstanceOf(EngineStateError);
    engine.start();
    expect(() => engine.start()).toThrow(EngineStateError);
    await engine.stop();
  });

  it('can be started again after a stop and serves new messages', async () => {
    const engine = await engineWithEcho();
    for (const round of [1, 2, 3]) {
      engine.start();
      await expect(engine.sendMessage(round, new AgentId('echo', 'k'))).resolves.toBe(round);
      await engine.stop();
    }
  });

  it('stopWhen() stops once the condition holds', async () => {
    const engine = await engineWithEcho();
    engine.start();
    let done = false;
    setTimeout(() => (done = true), 10);
    await engine.stopWhen(() => done, 1);
    expect(() => engine.start()).not.toThrow();
    await engine.stop();
  });

  it('processNext() steps an engine by hand', async () => {
    const engine = await engineWithEcho();
    const reply = engine.sendMessage('manual', new AgentId('echo', 'k'));
    await tick();
    await engine.processNext();
    await expect(reply).resolves.toBe('manual');
    engine.start();
    await expect(engine.processNext()).rejects.toBeInstanceOf(EngineStateError);
    await engine.stop();
  });

  it('close() closes every agent even when some throw, and aggregates the errors', async () => {
    const engine = new LocalAgentEngine();
    const failing = (n: number) =>
      Object.assign(new TestAgent(), {
        close: async () => {
          throw new Error(`close ${n}`);
        },
      });
    await engine.registerAgentInstance(failing(1), new AgentId('f', '1'));
    const healthy = new TestAgent();
    await engine.registerAgentInstance(healthy, new AgentId('h', '1'));
    await engine.registerAgentInstance(failing(2), new AgentId('f', '2'));
    const error = await engine.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['close 1', 'close 2']);
    expect(healthy.closed).toBe(true);
  });

  it('close() rethrows a single failure as is and stops a running engine', async () => {
    const engine = new LocalAgentEngine();
    const boom = new Error('only one');
    await engine.registerAgentInstance(Object.assign(new TestAgent(), { close: async () => { throw boom; } }), new AgentId('f', '1'));
    engine.start();
    await expect(engine.close()).rejects.toBe(boom);
    expect(() => engine.start()).not.toThrow();
    await engine.stop();
  });
});
