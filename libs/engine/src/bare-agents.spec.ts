import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, MessageChannel } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { deferred, tick, TestAgent } from './test-utils/test-agent.js';

// Bare agents (concurrent, no store, no idle timeout, no cap) are kept without an
// Activation: these are the guarantees they keep all the same.

let engine: LocalAgentEngine;

afterEach(async () => {
  await engine.close().catch(() => undefined);
});

const idOf = (key: string): AgentId => new AgentId('plain', key);

async function plainEngine(handler: (message: unknown) => unknown): Promise<TestAgent[]> {
  const built: TestAgent[] = [];
  engine = new LocalAgentEngine();
  await engine.registerAgentBuilder('plain', () => {
    const agent = new TestAgent((message) => handler(message));
    built.push(agent);
    return agent;
  });
  await engine.subscribe(new TypeSubscription('news', 'plain'));
  engine.start();
  return built;
}

describe('bare (plain) agents', () => {
  it('are counted as active, built once per id, and closed by close()', async () => {
    const built = await plainEngine((message) => message);
    expect(await engine.sendMessage(1, idOf('a'))).toBe(1);
    expect(await engine.sendMessage(2, idOf('a'))).toBe(2);
    await engine.publishMessage('hello', new MessageChannel('news', 'b'));
    await engine.stopWhenIdle();
    expect(built.map((agent) => agent.id.key)).toEqual(['a', 'b']);
    expect(engine.activeAgentCount).toBe(2);
    expect(engine.lifecycleCounts).toEqual({ activated: 2, deactivated: 0 });
    await engine.close();
    expect(built.every((agent) => agent.closed)).toBe(true);
  });

  it('deactivate(id) waits for the handler running in the agent, closes it, and the next message builds a new one', async () => {
    const gate = deferred();
    const built = await plainEngine((message) => (message === 'slow' ? gate.promise.then(() => 'done') : message));
    const slow = engine.sendMessage('slow', idOf('a'));
    await tick();
    const deactivation = engine.deactivate(idOf('a'));
    await tick();
    expect(built[0].closed).toBe(false);
    gate.resolve();
    expect(await slow).toBe('done');
    expect(await deactivation).toBe(true);
    expect(built[0].closed).toBe(true);
    expect(engine.activeAgentCount).toBe(0);
    expect(await engine.sendMessage('again', idOf('a'))).toBe('again');
    expect(built).toHaveLength(2);
  });

  it('deactivate(id) also waits for published deliveries that were running in it', async () => {
    const gate = deferred();
    const built = await plainEngine((message) => (message === 'slow' ? gate.promise : message));
    await engine.publishMessage('slow', new MessageChannel('news', 'a'));
    await tick();
    const deactivation = engine.deactivate(idOf('a'));
    await tick();
    expect(built[0].closed).toBe(false);
    gate.resolve();
    expect(await deactivation).toBe(true);
    expect(built[0].closed).toBe(true);
  });

  it("deactivate(id) waits for other bare agents' handlers that were running when it was called, not for later ones", async () => {
    const first = deferred();
    const later = deferred();
    const built = await plainEngine((message) => (message === 'first' ? first.promise : message === 'later' ? later.promise : message));
    await engine.sendMessage('idle', idOf('a'));
    const running = engine.sendMessage('first', idOf('b'));
    await tick();
    let deactivated = false;
    const deactivation = engine.deactivate(idOf('a')).then((result) => (deactivated = result));
    const afterwards = engine.sendMessage('later', idOf('c')); // started after: never waited for
    await tick();
    expect(deactivated).toBe(false); // a was idle, but b's handler was running when it was called
    first.resolve();
    await running;
    await deactivation;
    expect(deactivated).toBe(true);
    expect(built[0].closed).toBe(true);
    later.resolve();
    await afterwards;
  });

  it('engine.saveState() saves them and loadState() gives their state back', async () => {
    await plainEngine((message) => message);
    await engine.sendMessage(1, idOf('a'));
    const state = await engine.saveState();
    expect(Object.keys(state)).toEqual(['plain/a']);
    await engine.loadState(state);
    expect(engine.activeAgentCount).toBe(1);
  });
});
