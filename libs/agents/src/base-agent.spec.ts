import { describe, expect, it, vi } from 'vitest';
import {
  AgentId,
  AgentInstantiationContext,
  CancellationToken,
  isNoOpLifecycle,
  MessageChannel,
  type AgentEngine,
  type AgentState,
  type MessageContext,
} from '@agentopera/types';
import { TypePrefixSubscription, TypeSubscription } from '@agentopera/subscriptions';
import { BaseAgent } from './base-agent.js';
import { AgentBindingError } from './errors.js';
import { typeSubscription } from './subscription-decorators.js';
import { FakeEngine } from './test-utils/fake-engine.js';

/** Records what it receives and echoes the message back. */
class Echo extends BaseAgent {
  readonly received: unknown[] = [];

  protected async onMessageImpl(message: unknown, _ctx: MessageContext): Promise<unknown> {
    this.received.push(message);
    return message;
  }
}

@typeSubscription('news')
class Reader extends Echo {}

const describeSubscriptions = (engine: FakeEngine) => engine.subscriptions.map((subscription) => String(subscription));

describe('BaseAgent built by a builder', () => {
  it('takes its id and engine from the instantiation context', async () => {
    const engine = new FakeEngine();
    await Echo.register(engine, 'echo', () => new Echo('echoes'));
    const id = new AgentId('echo', 'k');
    expect(await engine.sendMessage('hello', id)).toBe('hello');
    const agent = await engine.tryGetUnderlyingAgentInstance(id, Echo);
    expect(agent.id).toBe(id);
    expect(agent.engine).toBe(engine);
    expect(agent.type).toBe('echo');
    expect(agent.description).toBe('echoes');
    expect(agent.metadata).toEqual({ type: 'echo', key: 'k', description: 'echoes' });
  });

  it('registers the builder with expectedClass set to the class register is called on', async () => {
    const engine = new FakeEngine();
    const registerAgentBuilder = vi.spyOn(engine, 'registerAgentBuilder');
    const agentType = await Reader.register(engine, 'reader', () => new Reader('r'));
    expect(agentType.type).toBe('reader');
    expect(registerAgentBuilder).toHaveBeenCalledWith('reader', expect.any(Function), { expectedClass: Reader });
  });

  it('rejects a non-string description naming it', () => {
    expect(() => new Echo(42 as unknown as string)).toThrow(/description must be a string, got 42/);
  });
});

describe('BaseAgent built outside a builder', () => {
  it('throws a clear error when id or engine is read before binding', () => {
    const agent = new Echo('lonely');
    expect(() => agent.id).toThrow(AgentBindingError);
    expect(() => agent.id).toThrow(/Echo \("lonely"\) has no id yet.*registerAgentInstance/);
    expect(() => agent.engine).toThrow(/has no engine yet/);
    expect(() => agent.metadata).toThrow(AgentBindingError);
  });

  it('is bound by registerAgentInstance and then receives messages', async () => {
    const engine = new FakeEngine();
    const agent = new Echo('pre-built');
    const id = new AgentId('echo', 'one');
    await engine.registerAgentInstance(agent, id);
    expect(agent.id).toBe(id);
    expect(agent.engine).toBe(engine);
    expect(await engine.sendMessage('hi', id)).toBe('hi');
    expect(agent.received).toEqual(['hi']);
  });

  it('ignores re-binding to the same id and engine and rejects a different id or engine', () => {
    const engine = new FakeEngine();
    const agent = new Echo('once');
    agent.bindIdAndEngine(new AgentId('echo', 'a'), engine);
    expect(() => agent.bindIdAndEngine(new AgentId('echo', 'a'), engine)).not.toThrow();
    const rebind = () => agent.bindIdAndEngine(new AgentId('echo', 'b'), engine);
    expect(rebind).toThrow(AgentBindingError);
    expect(rebind).toThrow(/echo\/a.*echo\/b/);
    expect(() => agent.bindIdAndEngine(new AgentId('echo', 'a'), new FakeEngine())).toThrow(/echo\/a.*another engine/);
    expect(agent.id.key).toBe('a');
  });
});

describe('BaseAgent messaging and state', () => {
  it('fills in itself as sender for sendMessage and publishMessage, keeping the other options', async () => {
    const engine = new FakeEngine();
    const send = vi.spyOn(engine, 'sendMessage').mockResolvedValue('reply');
    const publish = vi.spyOn(engine, 'publishMessage').mockResolvedValue();
    const agent = new Echo('sender');
    const id = new AgentId('echo', 'me');
    agent.bindIdAndEngine(id, engine);
    const token = new CancellationToken();
    const recipient = new AgentId('other', 'x');
    const channel = new MessageChannel('news', 's');

    expect(await agent.sendMessage('m', recipient, { cancellationToken: token, messageId: 'id1' })).toBe('reply');
    await agent.publishMessage('p', channel);

    expect(send).toHaveBeenCalledWith('m', recipient, { sender: id, cancellationToken: token, messageId: 'id1' });
    expect(publish).toHaveBeenCalledWith('p', channel, { sender: id });
  });

  it('delivers a message sent by an agent with its id as ctx.sender', async () => {
    const engine = new FakeEngine();
    const seen: MessageContext[] = [];
    class Spy extends BaseAgent {
      protected async onMessageImpl(_message: unknown, ctx: MessageContext): Promise<unknown> {
        seen.push(ctx);
        return undefined;
      }
    }
    await Spy.register(engine, 'spy', () => new Spy('spy'));
    const sender = new Echo('sender');
    await engine.registerAgentInstance(sender, new AgentId('echo', 's'));
    await sender.sendMessage('m', new AgentId('spy', 'k'));
    expect(seen[0]!.sender?.toString()).toBe('echo/s');
  });

  it('saves {} and loads, closes as no-ops by default', async () => {
    const agent = new Echo('stateless');
    expect(await agent.saveState()).toEqual({});
    await expect(agent.loadState({ anything: 1 })).resolves.toBeUndefined();
    await expect(agent.close()).resolves.toBeUndefined();
  });
});

describe('BaseAgent.register subscriptions', () => {
  it('adds the class subscriptions and the direct-message prefix subscription', async () => {
    const engine = new FakeEngine();
    await Reader.register(engine, 'reader', () => new Reader('r'));
    expect(engine.subscriptions).toHaveLength(2);
    expect(engine.subscriptions[0]).toBeInstanceOf(TypeSubscription);
    expect(engine.subscriptions[0]!.equals(new TypeSubscription('news', 'reader'))).toBe(true);
    expect(engine.subscriptions[1]).toBeInstanceOf(TypePrefixSubscription);
    expect(engine.subscriptions[1]!.equals(new TypePrefixSubscription('reader:', 'reader'))).toBe(true);

    await engine.publishMessage('headline', new MessageChannel('news', 'k'));
    await engine.publishMessage('direct', new MessageChannel('reader:x', 'k'));
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('reader', 'k'), Reader);
    expect(agent.received).toEqual(['headline', 'direct']);
  });

  it('skips class subscriptions or the direct-message subscription on request', async () => {
    const noClass = new FakeEngine();
    await Reader.register(noClass, 'reader', () => new Reader('r'), { skipClassSubscriptions: true });
    expect(describeSubscriptions(noClass)).toEqual([expect.stringContaining('TypePrefixSubscription')]);

    const noDirect = new FakeEngine();
    await Reader.register(noDirect, 'reader', () => new Reader('r'), { skipDirectMessageSubscription: true });
    expect(describeSubscriptions(noDirect)).toEqual([expect.stringContaining('TypeSubscription(topicType="news"')]);

    const none = new FakeEngine();
    await Reader.register(none, 'reader', () => new Reader('r'), {
      skipClassSubscriptions: true,
      skipDirectMessageSubscription: true,
    });
    expect(none.subscriptions).toEqual([]);
  });
});

describe('BaseAgent.registerInstance', () => {
  it('registers and binds the instance and adds its type subscriptions once per type', async () => {
    const engine = new FakeEngine();
    const first = new Reader('first');
    const second = new Reader('second');
    expect((await BaseAgent.registerInstance(engine, first, new AgentId('reader', 'a'))).toString()).toBe('reader/a');
    await BaseAgent.registerInstance(engine, second, new AgentId('reader', 'b'));
    expect(first.id.key).toBe('a');
    expect(second.id.key).toBe('b');
    expect(engine.subscriptions).toHaveLength(2);
    expect(engine.subscriptions[0]!.equals(new TypeSubscription('news', 'reader'))).toBe(true);
    expect(engine.subscriptions[1]!.equals(new TypePrefixSubscription('reader:', 'reader'))).toBe(true);

    await engine.publishMessage('headline', new MessageChannel('news', 'b'));
    expect(second.received).toEqual(['headline']);
    expect(first.received).toEqual([]);
  });

  it('tracks the type per engine and honours the skip options', async () => {
    const first = new FakeEngine();
    const second: AgentEngine = new FakeEngine();
    await Reader.registerInstance(first, new Reader('r'), new AgentId('reader', 'a'), { skipDirectMessageSubscription: true });
    expect(first.subscriptions).toHaveLength(1);
    await Reader.registerInstance(first, new Reader('r'), new AgentId('reader', 'b'));
    expect(describeSubscriptions(first)).toEqual([
      expect.stringContaining('TypeSubscription'),
      expect.stringContaining('TypePrefixSubscription'),
    ]);
    await Reader.registerInstance(second, new Reader('r'), new AgentId('reader', 'a'), { skipClassSubscriptions: true });
    expect(describeSubscriptions(second as FakeEngine)).toEqual([expect.stringContaining('TypePrefixSubscription')]);
  });

  it('lets a failed subscription be retried by the next registration', async () => {
    const engine = new FakeEngine();
    const subscribe = vi.spyOn(engine, 'subscribe').mockRejectedValueOnce(new Error('store down'));
    await expect(BaseAgent.registerInstance(engine, new Echo('e'), new AgentId('echo', 'a'))).rejects.toThrow('store down');
    subscribe.mockRestore();
    await BaseAgent.registerInstance(engine, new Echo('e'), new AgentId('echo', 'b'));
    expect(describeSubscriptions(engine)).toEqual([expect.stringContaining('TypePrefixSubscription')]);
  });
});

describe('lifecycle defaults', () => {
  it('are marked as having no effect, so engines may skip them; overrides are not', async () => {
    class Plain extends BaseAgent {
      protected async onMessageImpl(): Promise<unknown> {
        return undefined;
      }
    }
    class Stateful extends Plain {
      override async saveState(): Promise<AgentState> {
        return { n: 1 };
      }
    }
    const plain = AgentInstantiationContext.populateContext(new FakeEngine(), new AgentId('t', 'k'), () => new Plain('plain'));
    expect([plain.saveState, plain.loadState, plain.close].map(isNoOpLifecycle)).toEqual([true, true, true]);
    expect(await plain.saveState()).toEqual({});
    const stateful = AgentInstantiationContext.populateContext(new FakeEngine(), new AgentId('t', 'k'), () => new Stateful('stateful'));
    expect([stateful.saveState, stateful.loadState, stateful.close].map(isNoOpLifecycle)).toEqual([false, true, true]);
  });
});
