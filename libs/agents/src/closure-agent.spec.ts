import { describe, expect, it } from 'vitest';
import { AgentId, MessageChannel, type MessageContext } from '@agentopera/types';
import { DefaultSubscription, TypePrefixSubscription, TypeSubscription } from '@agentopera/subscriptions';
import { ClosureAgent, type ClosureContext } from './closure-agent.js';
import { FakeEngine } from './test-utils/fake-engine.js';

describe('ClosureAgent', () => {
  it('runs the closure for each message and returns its result to the sender', async () => {
    const engine = new FakeEngine();
    const calls: Array<{ id: string; message: unknown; isRpc: boolean }> = [];
    await ClosureAgent.register(engine, 'doubler', (agent: ClosureContext, message: unknown, ctx: MessageContext) => {
      calls.push({ id: agent.id.toString(), message, isRpc: ctx.isRpc });
      return (message as number) * 2;
    });
    expect(await engine.sendMessage(21, new AgentId('doubler', 'k'))).toBe(42);
    expect(calls).toEqual([{ id: 'doubler/k', message: 21, isRpc: true }]);
  });

  it('registers with expectedClass ClosureAgent, its description and the direct-message subscription', async () => {
    const engine = new FakeEngine();
    const agentType = await ClosureAgent.register(engine, 'noop', () => undefined, { description: 'does nothing' });
    expect(agentType.type).toBe('noop');
    expect(engine.builders.get('noop')!.options.expectedClass).toBe(ClosureAgent);
    expect(engine.subscriptions).toHaveLength(1);
    expect(engine.subscriptions[0]!.equals(new TypePrefixSubscription('noop:', 'noop'))).toBe(true);
    expect(await engine.agentMetadata(new AgentId('noop', 'x'))).toEqual({ type: 'noop', key: 'x', description: 'does nothing' });
  });

  it('adds subscriptions from the factory, built in the registration context', async () => {
    const engine = new FakeEngine();
    await ClosureAgent.register(engine, 'collector', () => undefined, {
      subscriptions: async () => [new DefaultSubscription('results')],
      skipDirectMessageSubscription: true,
    });
    expect(engine.subscriptions).toHaveLength(1);
    expect(engine.subscriptions[0]!.equals(new TypeSubscription('results', 'collector'))).toBe(true);
  });

  it('keeps the registration context across awaits in an async subscription factory', async () => {
    const engine = new FakeEngine();
    await ClosureAgent.register(engine, 'late', () => undefined, {
      subscriptions: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return [new DefaultSubscription('results')];
      },
      skipDirectMessageSubscription: true,
    });
    expect(engine.subscriptions[0]!.equals(new TypeSubscription('results', 'late'))).toBe(true);
  });

  it('can reply by publishing, with itself as sender', async () => {
    const engine = new FakeEngine();
    const collected: Array<{ message: unknown; sender: string | undefined }> = [];
    await ClosureAgent.register(
      engine,
      'responder',
      async (agent, message, ctx) => {
        await agent.publishMessage(`re: ${String(message)}`, new MessageChannel('replies', ctx.messageChannel!.source));
      },
      { subscriptions: () => [new DefaultSubscription('questions')] },
    );
    await ClosureAgent.register(
      engine,
      'collector',
      (_agent, message, ctx) => {
        collected.push({ message, sender: ctx.sender?.toString() });
      },
      { subscriptions: () => [new DefaultSubscription('replies')] },
    );
    await engine.publishMessage('why?', new MessageChannel('questions', 'c1'));
    expect(collected).toEqual([{ message: 're: why?', sender: 'responder/c1' }]);
  });

  it('can send to another agent and await the reply', async () => {
    const engine = new FakeEngine();
    await ClosureAgent.register(engine, 'upper', (_agent, message) => String(message).toUpperCase());
    await ClosureAgent.register(engine, 'caller', (agent, message) => agent.sendMessage(message, new AgentId('upper', 'k')));
    expect(await engine.sendMessage('abc', new AgentId('caller', 'k'))).toBe('ABC');
  });

  it('rejects a closure that is not a function', () => {
    expect(() => new ClosureAgent('bad', 'nope' as unknown as () => void)).toThrow(/expects a function.*string/);
  });
});
