import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, MessageChannel, type MessageContext } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { CounterAgent } from './test-utils/lifecycle-agents.js';
import { deferred, tick } from './test-utils/test-agent.js';

interface Call {
  readonly path: readonly string[];
}

let engine: LocalAgentEngine;

afterEach(async () => {
  await engine.close().catch(() => undefined);
});

/** Each agent forwards a `Call` to the next type in its path and answers with the trail of who handled it. */
function forwarding(): (message: unknown, ctx: MessageContext, agent: CounterAgent) => Promise<unknown> {
  return async (message, _ctx, agent) => {
    const call = message as Call;
    if (call.path.length === 0) return agent.id.type;
    const [next, ...rest] = call.path;
    const answer = await agent.engine.sendMessage(({ path: rest }) satisfies Call, new AgentId(next, 'k'), { sender: agent.id });
    return `${agent.id.type}>${String(answer)}`;
  };
}

describe("concurrency: 'serial'", () => {
  it('runs one handler of an agent at a time, in the order the messages were sent', async () => {
    engine = new LocalAgentEngine();
    const gates = [deferred(), deferred(), deferred()];
    const agents: CounterAgent[] = [];
    await engine.registerAgentBuilder(
      'serial',
      () => {
        const agent = new CounterAgent(async (message) => {
          await gates[message as number].promise;
          return message;
        });
        agents.push(agent);
        return agent;
      },
      { concurrency: 'serial' },
    );
    engine.start();
    const id = new AgentId('serial', 'k');
    const results = [0, 1, 2].map((n) => engine.sendMessage(n, id));
    await tick();
    // Only the first has started, although the later ones are queued behind it.
    expect(agents[0].handled).toEqual([0]);
    gates[2].resolve();
    gates[1].resolve();
    await tick();
    expect(agents[0].handled).toEqual([0]);
    gates[0].resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2]);
    expect(agents[0].handled).toEqual([0, 1, 2]);
    expect(agents[0].maxRunning).toBe(1);
  });

  it('lets handlers of a concurrent agent overlap (the default)', async () => {
    engine = new LocalAgentEngine();
    const gate = deferred();
    let agent!: CounterAgent;
    await engine.registerAgentBuilder('concurrent', () => (agent = new CounterAgent(() => gate.promise)));
    engine.start();
    const id = new AgentId('concurrent', 'k');
    const results = [engine.sendMessage(1, id), engine.sendMessage(2, id)];
    await tick();
    expect(agent.running).toBe(2);
    gate.resolve();
    await Promise.all(results);
  });

  it('never holds up other agents, of the same type or another', async () => {
    engine = new LocalAgentEngine();
    const gate = deferred();
    await engine.registerAgentBuilder('serial', () => new CounterAgent((message) => (message === 'block' ? gate.promise.then(() => 'unblocked') : message)), {
      concurrency: 'serial',
    });
    engine.start();
    const blocked = engine.sendMessage('block', new AgentId('serial', 'a'));
    expect(await engine.sendMessage('free', new AgentId('serial', 'b'))).toBe('free');
    gate.resolve();
    expect(await blocked).toBe('unblocked');
  });

  it('runs a call that comes back to the agent from inside its own turn at once (A→B→A, A→A)', async () => {
    engine = new LocalAgentEngine();
    for (const type of ['a', 'b', 'c']) await engine.registerAgentBuilder(type, () => new CounterAgent(forwarding()), { concurrency: 'serial' });
    engine.start();
    expect(await engine.sendMessage({ path: ['b', 'a'] }, new AgentId('a', 'k'))).toBe('a>b>a');
    expect(await engine.sendMessage({ path: ['a', 'a'] }, new AgentId('a', 'k'))).toBe('a>a>a');
    expect(await engine.sendMessage({ path: ['b', 'c', 'b', 'a', 'c'] }, new AgentId('a', 'k'))).toBe('a>b>c>b>a>c');
  });

  it('keeps the chain through concurrent agents in between (serial A → concurrent B → A)', async () => {
    engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('a', () => new CounterAgent(forwarding()), { concurrency: 'serial' });
    await engine.registerAgentBuilder('b', () => new CounterAgent(forwarding()));
    engine.start();
    expect(await engine.sendMessage({ path: ['b', 'a'] }, new AgentId('a', 'k'))).toBe('a>b>a');
  });

  it('queues a call from another chain behind the running turn', async () => {
    engine = new LocalAgentEngine();
    const gate = deferred();
    const order: string[] = [];
    await engine.registerAgentBuilder(
      'a',
      () =>
        new CounterAgent(async (message) => {
          order.push(`start ${String(message)}`);
          if (message === 'first') await gate.promise;
          order.push(`end ${String(message)}`);
          return message;
        }),
      { concurrency: 'serial' },
    );
    // b calls a from its own chain, unrelated to a's running turn: it must wait its turn.
    await engine.registerAgentBuilder('b', () => new CounterAgent(async (_m, _c, agent) => agent.engine.sendMessage('second', new AgentId('a', 'k'), { sender: agent.id })));
    engine.start();
    const first = engine.sendMessage('first', new AgentId('a', 'k'));
    const viaB = engine.sendMessage('go', new AgentId('b', 'k'));
    await tick();
    expect(order).toEqual(['start first']);
    gate.resolve();
    await Promise.all([first, viaB]);
    expect(order).toEqual(['start first', 'end first', 'start second', 'end second']);
  });

  it("queues a send from an earlier turn's stray continuation behind the running turn", async () => {
    engine = new LocalAgentEngine();
    const secondStarted = deferred();
    const gate = deferred();
    const order: string[] = [];
    let stray: Promise<unknown> | undefined;
    await engine.registerAgentBuilder(
      'a',
      () =>
        new CounterAgent(async (message, _ctx, agent) => {
          order.push(`start ${String(message)}`);
          // Not awaited: it runs on after this turn has ended, once the next one has started.
          if (message === 'first') void secondStarted.promise.then(() => (stray = agent.engine.sendMessage('stray', agent.id, { sender: agent.id })));
          if (message === 'second') {
            secondStarted.resolve();
            await gate.promise;
          }
          order.push(`end ${String(message)}`);
          return message;
        }),
      { concurrency: 'serial' },
    );
    engine.start();
    const id = new AgentId('a', 'k');
    await engine.sendMessage('first', id);
    const second = engine.sendMessage('second', id);
    await secondStarted.promise;
    await tick();
    expect(stray).toBeDefined();
    // The stray send carries the first turn's chain, which is not running: it waits its turn.
    expect(order).toEqual(['start first', 'end first', 'start second']);
    gate.resolve();
    expect(await second).toBe('second');
    expect(await stray).toBe('stray');
    expect(order).toEqual(['start first', 'end first', 'start second', 'end second', 'start stray', 'end stray']);
  });

  it('runs a handler that says it may interleave while a turn is in progress', async () => {
    engine = new LocalAgentEngine();
    const gate = deferred();
    class QueryableCounter extends CounterAgent {
      isInterleaving(message: unknown): boolean {
        return message === 'query';
      }
    }
    let agent!: QueryableCounter;
    await engine.registerAgentBuilder('a', () => (agent = new QueryableCounter((message) => (message === 'query' ? 'answer' : gate.promise))), {
      concurrency: 'serial',
    });
    engine.start();
    const id = new AgentId('a', 'k');
    const slow = engine.sendMessage('slow', id);
    await tick();
    expect(await engine.sendMessage('query', id)).toBe('answer');
    expect(agent.maxRunning).toBe(2);
    gate.resolve();
    await slow;
  });

  it('orders published messages and sends to one serial agent by when they left the queue', async () => {
    engine = new LocalAgentEngine();
    let agent!: CounterAgent;
    await engine.registerAgentBuilder('a', () => (agent = new CounterAgent(async (message) => {
      await tick();
      return message;
    })), { concurrency: 'serial' });
    await engine.subscribe(new TypeSubscription('t', 'a'));
    engine.start();
    const sends: Promise<unknown>[] = [];
    for (let n = 0; n < 10; n++) {
      if (n % 2 === 0) await engine.publishMessage(n, new MessageChannel('t', 'k'));
      else sends.push(engine.sendMessage(n, new AgentId('a', 'k')));
    }
    await Promise.all(sends);
    await engine.stopWhenIdle();
    expect(agent.handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(agent.maxRunning).toBe(1);
  });

  it('rejects an unknown concurrency with an error naming the value', async () => {
    engine = new LocalAgentEngine();
    await expect(engine.registerAgentBuilder('a', () => new CounterAgent(), { concurrency: 'parallel' as 'serial' })).rejects.toThrow(
      /concurrency must be 'concurrent' or 'serial', got "parallel"/,
    );
  });
});
