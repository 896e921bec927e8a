import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, AgentInstantiationContext, MessageChannel, MessageHandlerContext } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

// The engine enters handler scopes through fast paths and (on Node >= 24) cached scopes; these pin
// down that MessageHandlerContext stays exact through them.
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MessageHandlerContext inside the engine', () => {
  it('names the handling agent after awaits, for concurrent sends to many agents, repeatedly', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('w', () =>
      new TestAgent(async () => {
        const before = MessageHandlerContext.agentId();
        await tick();
        await Promise.resolve();
        return [before, MessageHandlerContext.agentId()];
      }),
    );
    engine.start();
    const ids = Array.from({ length: 30 }, (_, i) => new AgentId('w', `k${i % 10}`));
    for (let round = 0; round < 3; round++) {
      const replies = (await Promise.all(ids.map((id) => engine.sendMessage(id.key, id)))) as AgentId[][];
      replies.forEach(([before, after], i) => {
        // The very id object the message was sent to, even when another equal one came before.
        expect(before).toBe(ids[i]);
        expect(after).toBe(ids[i]);
      });
    }
    expect(MessageHandlerContext.tryAgentId()).toBeUndefined();
    await engine.stop();
  });

  it('names each recipient of a publish after awaits', async () => {
    const engine = new LocalAgentEngine();
    const seen: string[] = [];
    for (const type of ['a', 'b', 'c']) {
      await engine.registerAgentBuilder(type, () =>
        new TestAgent(async () => {
          await tick();
          seen.push(MessageHandlerContext.agentId().toString());
        }),
      );
      await engine.subscribe(new TypeSubscription('t', type));
    }
    engine.start();
    await engine.publishMessage('x', new MessageChannel('t', 'k'));
    await engine.publishMessage('y', new MessageChannel('t', 'j'));
    await engine.stopWhenIdle();
    expect(seen.sort()).toEqual(['a/j', 'a/k', 'b/j', 'b/k', 'c/j', 'c/k']);
  });

  it('shows the builder its instantiation context and the handler only its own id', async () => {
    const engine = new LocalAgentEngine();
    let inBuilder: unknown;
    await engine.registerAgentBuilder('b', async () => {
      await tick();
      inBuilder = [AgentInstantiationContext.currentAgentId().toString(), MessageHandlerContext.tryAgentId()];
      return new TestAgent(async () => {
        await tick();
        return [AgentInstantiationContext.isInFactoryCall(), MessageHandlerContext.agentId().toString()];
      });
    });
    engine.start();
    expect(await engine.sendMessage('m', new AgentId('b', 'k'))).toEqual([false, 'b/k']);
    expect(inBuilder).toEqual(['b/k', undefined]);
    await engine.stop();
  });
});
