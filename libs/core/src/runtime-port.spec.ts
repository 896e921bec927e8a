// The behaviours autogen-core's own runtime tests check (test_runtime.py, test_cancellation.py,
// test_intervention.py, test_routed_agent.py, test_state.py), ported to our API and the public
// facade: everything here is imported from the package's public door, as a user would.
import {
  AgentId,
  AgentType,
  CancellationToken,
  CancelledError,
  CantHandleError,
  ClosureAgent,
  DefaultInterventionHandler,
  DefaultMessageChannel,
  DefaultSubscription,
  DropMessage,
  LocalAgentEngine,
  MessageChannel,
  MessageDroppedError,
  RoutedAgent,
  TypeSubscription,
  defaultSubscription,
  event,
  messageHandler,
  rpc,
  typeSubscription,
  type AgentState,
  type MessageContext,
} from './index.js';
import { describe, expect, it } from 'vitest';

class MessageType {
  constructor(readonly content = '') {}
}
class CascadingMessage {
  constructor(readonly round: number) {}
}
class ContentMessage {
  constructor(readonly content: string) {}
}

class LoopbackAgent extends RoutedAgent {
  numCalls = 0;
  received: unknown[] = [];

  constructor() {
    super('A loop back agent.');
  }

  @messageHandler()
  async onMessage_(message: MessageType, _ctx: MessageContext): Promise<MessageType> {
    this.numCalls++;
    this.received.push(message);
    return message;
  }
}

@defaultSubscription()
class DefaultSubscribedLoopback extends LoopbackAgent {}

@typeSubscription('TestTopic')
class TypeSubscribedLoopback extends LoopbackAgent {}

class CascadingAgent extends RoutedAgent {
  numCalls = 0;

  constructor(private readonly maxRounds: number) {
    super('A cascading agent.');
  }

  @messageHandler()
  async onCascade(message: CascadingMessage, _ctx: MessageContext): Promise<void> {
    this.numCalls++;
    if (message.round === this.maxRounds) return;
    await this.publishMessage(new CascadingMessage(message.round + 1), new DefaultMessageChannel());
  }
}

describe('agent type registration', () => {
  it('rejects a type registered twice', async () => {
    const engine = new LocalAgentEngine();
    await LoopbackAgent.register(engine, 'name1', () => new LoopbackAgent());
    await expect(LoopbackAgent.register(engine, 'name1', () => new LoopbackAgent())).rejects.toThrow(/already registered/);
  });

  it('fails messages whose builder returns another class than the registered one', async () => {
    class Other extends LoopbackAgent {}
    const engine = new LocalAgentEngine();
    await LoopbackAgent.register(engine, 'name1', () => new Other());
    engine.start();
    await expect(engine.sendMessage(new MessageType(), new AgentId('name1', 'default'))).rejects.toThrow(TypeError);
    await engine.stop();
  });

  it('registers an instance and routes messages to it', async () => {
    const engine = new LocalAgentEngine();
    const agent = new LoopbackAgent();
    const id = new AgentId('name', 'default');
    await LoopbackAgent.registerInstance(engine, agent, id);
    engine.start();
    await engine.sendMessage(new MessageType(), id);
    await engine.stop();
    expect(agent.numCalls).toBe(1);
    expect(await engine.tryGetUnderlyingAgentInstance(id, LoopbackAgent)).toBe(agent);
    await expect(engine.agentMetadata(id)).resolves.toEqual({ type: 'name', key: 'default', description: 'A loop back agent.' });
  });
});

describe('publish and subscriptions', () => {
  it('reaches subscribers, creating an agent for each newly seen source', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('name1', () => new LoopbackAgent());
    await engine.subscribe(new TypeSubscription('default', 'name1'));
    await engine.registerAgentBuilder('name2', () => new LoopbackAgent());
    await engine.subscribe(new TypeSubscription('default', 'name2'));
    engine.start();
    await engine.publishMessage(new MessageType(), new MessageChannel('default', 'default'));
    await engine.stopWhenIdle();
    for (const type of ['name1', 'name2']) {
      const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId(type, 'default'), LoopbackAgent);
      expect(agent.numCalls).toBe(1);
    }
    engine.start();
    await engine.publishMessage(new MessageType(), new MessageChannel('default', 'other'));
    await engine.stopWhenIdle();
    const other = await engine.tryGetUnderlyingAgentInstance(new AgentId('name1', 'other'), LoopbackAgent);
    expect(other.numCalls).toBe(1);
    const original = await engine.tryGetUnderlyingAgentInstance(new AgentId('name1', 'default'), LoopbackAgent);
    expect(original.numCalls).toBe(1);
  });

  it('runs cascaded publishes to the end', async () => {
    const engine = new LocalAgentEngine();
    const numAgents = 3;
    const numRounds = 4;
    for (let i = 0; i < numAgents; i++) {
      await CascadingAgent.register(engine, `name${i}`, () => new CascadingAgent(numRounds));
      await engine.subscribe(new DefaultSubscription('default', `name${i}`));
    }
    engine.start();
    await engine.publishMessage(new CascadingMessage(1), new DefaultMessageChannel());
    await engine.stopWhenIdle();
    // Round 1 reaches every agent once; each receipt of round r publishes round r + 1 to the
    // other agents, so an agent handles (numAgents - 1) ** (r - 1) messages of round r.
    let expected = 0;
    for (let round = 1; round <= numRounds; round++) expected += (numAgents - 1) ** (round - 1);
    for (let i = 0; i < numAgents; i++) {
      const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId(`name${i}`, 'default'), CascadingAgent);
      expect(agent.numCalls).toBe(expected);
    }
  });

  it('subscribes @defaultSubscription classes to the default channel', async () => {
    const engine = new LocalAgentEngine();
    await DefaultSubscribedLoopback.register(engine, 'name', () => new DefaultSubscribedLoopback());
    engine.start();
    await engine.publishMessage(new MessageType(), new DefaultMessageChannel());
    await engine.stopWhenIdle();
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('name', 'default'), DefaultSubscribedLoopback);
    expect(agent.numCalls).toBe(1);
  });

  it('subscribes @typeSubscription classes to their topic only', async () => {
    const engine = new LocalAgentEngine();
    await TypeSubscribedLoopback.register(engine, 'name', () => new TypeSubscribedLoopback());
    engine.start();
    await engine.publishMessage(new MessageType(), new MessageChannel('TestTopic', 'default'));
    await engine.publishMessage(new MessageType(), new DefaultMessageChannel());
    await engine.stopWhenIdle();
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('name', 'default'), TypeSubscribedLoopback);
    expect(agent.numCalls).toBe(1);
  });

  it('delivers a publish on the default channel with another source to that source agent', async () => {
    const engine = new LocalAgentEngine();
    await DefaultSubscribedLoopback.register(engine, 'name', () => new DefaultSubscribedLoopback());
    engine.start();
    await engine.publishMessage(new MessageType(), new DefaultMessageChannel('default', 'other'));
    await engine.stopWhenIdle();
    const other = await engine.tryGetUnderlyingAgentInstance(new AgentId('name', 'other'), DefaultSubscribedLoopback);
    expect(other.numCalls).toBe(1);
    await expect(engine.saveState()).resolves.not.toHaveProperty('name/default');
  });

  it('lets an agent publish to another source', async () => {
    @defaultSubscription()
    class Forwarder extends RoutedAgent {
      @messageHandler()
      async onMessage_(message: ContentMessage, _ctx: MessageContext): Promise<void> {
        if (message.content === 'forward') {
          await this.publishMessage(new MessageType('forwarded'), new DefaultMessageChannel('default', 'other'));
        }
      }
    }
    const engine = new LocalAgentEngine();
    await Forwarder.register(engine, 'forwarder', () => new Forwarder('forwards'));
    await DefaultSubscribedLoopback.register(engine, 'loopback', () => new DefaultSubscribedLoopback());
    engine.start();
    await engine.publishMessage(new ContentMessage('forward'), new DefaultMessageChannel());
    await engine.stopWhenIdle();
    const other = await engine.tryGetUnderlyingAgentInstance(new AgentId('loopback', 'other'), DefaultSubscribedLoopback);
    expect(other.received).toEqual([new MessageType('forwarded')]);
  });

  it('DefaultMessageChannel inside a handler takes the handling agent key as source', async () => {
    const engine = new LocalAgentEngine();
    const seen: string[] = [];
    await ClosureAgent.register(engine, 'closure', async (_agent, _message, _ctx) => {
      seen.push(new DefaultMessageChannel().source);
    });
    engine.start();
    await engine.sendMessage('hi', new AgentId('closure', 'session-1'));
    await engine.stop();
    expect(seen).toEqual(['session-1']);
  });
});

describe('event handler exceptions', () => {
  @defaultSubscription()
  class FailingAgent extends RoutedAgent {
    @event()
    async onMessage_(_message: MessageType, _ctx: MessageContext): Promise<void> {
      throw new Error('Test exception');
    }
  }

  it.each([1, 5])('surfaces the exception of %i published message(s) from stopWhenIdle()', async (count) => {
    const engine = new LocalAgentEngine({ ignoreUnhandledExceptions: false });
    await FailingAgent.register(engine, 'name', () => new FailingAgent('fails'));
    engine.start();
    for (let i = 0; i < count; i++) await engine.publishMessage(new MessageType(), new DefaultMessageChannel());
    await expect(engine.stopWhenIdle()).rejects.toThrow('Test exception');
  });

  it('ignores them by default', async () => {
    const engine = new LocalAgentEngine();
    await FailingAgent.register(engine, 'name', () => new FailingAgent('fails'));
    engine.start();
    await engine.publishMessage(new MessageType(), new DefaultMessageChannel());
    await expect(engine.stopWhenIdle()).resolves.toBeUndefined();
  });
});

describe('cancellation', () => {
  class LongRunningAgent extends RoutedAgent {
    called = false;
    cancelled = false;
    private markCalled = (): void => {};
    /** Settles when the handler has begun (what the tests cancel inside). */
    readonly calledOnce = new Promise<void>((resolve) => (this.markCalled = resolve));

    @messageHandler()
    async onMessage_(_message: MessageType, ctx: MessageContext): Promise<MessageType> {
      this.called = true;
      this.markCalled();
      const wait = new Promise((resolve) => setTimeout(resolve, 10_000));
      try {
        await ctx.cancellationToken.linkFuture(wait);
      } catch (error) {
        if (error instanceof CancelledError) this.cancelled = true;
        throw error;
      }
      return new MessageType();
    }
  }

  class NestingLongRunningAgent extends RoutedAgent {
    called = false;
    cancelled = false;

    constructor(private readonly nested: AgentId) {
      super('nesting');
    }

    @messageHandler()
    async onMessage_(message: MessageType, ctx: MessageContext): Promise<MessageType> {
      this.called = true;
      try {
        return await this.sendMessage<MessageType>(message, this.nested, { cancellationToken: ctx.cancellationToken });
      } catch (error) {
        if (error instanceof CancelledError) this.cancelled = true;
        throw error;
      }
    }
  }

  it('cancels a running call', async () => {
    const engine = new LocalAgentEngine();
    await LongRunningAgent.register(engine, 'long_running', () => new LongRunningAgent('long'));
    const id = new AgentId('long_running', 'default');
    const token = new CancellationToken();
    engine.start();
    const reply = engine.sendMessage(new MessageType(), id, { cancellationToken: token });
    const agent = await engine.tryGetUnderlyingAgentInstance(id, LongRunningAgent);
    await agent.calledOnce;
    token.cancel();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
    await engine.stopWhenIdle();
    expect(agent.cancelled).toBe(true);
  });

  it('cancels the outer call only when the nested call is not linked yet', async () => {
    const engine = new LocalAgentEngine();
    await LongRunningAgent.register(engine, 'long_running', () => new LongRunningAgent('long'));
    const nestedId = new AgentId('long_running', 'default');
    await NestingLongRunningAgent.register(engine, 'nested', () => new NestingLongRunningAgent(nestedId));
    const token = new CancellationToken();
    const reply = engine.sendMessage(new MessageType(), new AgentId('nested', 'default'), { cancellationToken: token });
    token.cancel();
    engine.start();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
    await engine.stopWhenIdle();
    const outer = await engine.tryGetUnderlyingAgentInstance(new AgentId('nested', 'default'), NestingLongRunningAgent);
    expect(outer.called).toBe(false);
    await expect(engine.saveState()).resolves.not.toHaveProperty('long_running/default');
  });

  it('cancels the nested call linked to the outer token', async () => {
    const engine = new LocalAgentEngine();
    await LongRunningAgent.register(engine, 'long_running', () => new LongRunningAgent('long'));
    const nestedId = new AgentId('long_running', 'default');
    await NestingLongRunningAgent.register(engine, 'nested', () => new NestingLongRunningAgent(nestedId));
    const token = new CancellationToken();
    engine.start();
    const reply = engine.sendMessage(new MessageType(), new AgentId('nested', 'default'), { cancellationToken: token });
    const inner = await engine.tryGetUnderlyingAgentInstance(nestedId, LongRunningAgent);
    await inner.calledOnce;
    token.cancel();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
    await engine.stopWhenIdle();
    const outer = await engine.tryGetUnderlyingAgentInstance(new AgentId('nested', 'default'), NestingLongRunningAgent);
    expect([outer.called, outer.cancelled, inner.called, inner.cancelled]).toEqual([true, true, true, true]);
  });
});

describe('routed agents', () => {
  class Routing extends RoutedAgent {
    handled: string[] = [];

    @messageHandler({ match: (message: ContentMessage) => message.content === 'a' })
    async handlerA(_message: ContentMessage, _ctx: MessageContext): Promise<string> {
      this.handled.push('a');
      return 'a';
    }

    @messageHandler({ match: (message: ContentMessage) => message.content.startsWith('b') })
    async handlerB(_message: ContentMessage, _ctx: MessageContext): Promise<string> {
      this.handled.push('b');
      return 'b';
    }

    @messageHandler({ match: (message: ContentMessage) => message.content.startsWith('b') })
    async handlerBShadowed(_message: ContentMessage, _ctx: MessageContext): Promise<string> {
      this.handled.push('shadowed');
      return 'shadowed';
    }

    @event()
    async onEvent(_message: MessageType, _ctx: MessageContext): Promise<void> {
      this.handled.push('event');
    }

    @rpc()
    async onRpc(_message: CascadingMessage, _ctx: MessageContext): Promise<string> {
      this.handled.push('rpc');
      return 'rpc';
    }
  }

  async function routingEngine() {
    const engine = new LocalAgentEngine();
    await Routing.register(engine, 'router', () => new Routing('routes'));
    await engine.subscribe(new TypeSubscription('t', 'router'));
    engine.start();
    const id = new AgentId('router', 'default');
    const agent = await engine.tryGetUnderlyingAgentInstance(id, Routing);
    return { engine, id, agent };
  }

  it('routes by match, first match in declaration order wins', async () => {
    const { engine, id, agent } = await routingEngine();
    await expect(engine.sendMessage(new ContentMessage('a'), id)).resolves.toBe('a');
    await expect(engine.sendMessage(new ContentMessage('bee'), id)).resolves.toBe('b');
    await expect(engine.sendMessage(new ContentMessage('c'), id)).rejects.toThrow(CantHandleError);
    await engine.stop();
    expect(agent.handled).toEqual(['a', 'b']);
  });

  it('delivers @event handlers only published messages and @rpc only sent ones', async () => {
    const { engine, id, agent } = await routingEngine();
    const rpcError = await engine.sendMessage(new MessageType(), id).catch((e: unknown) => e);
    expect(rpcError).toBeInstanceOf(CantHandleError);
    expect((rpcError as Error).message).toMatch(/router\/default/);
    expect((rpcError as Error).message).toMatch(/MessageType/);
    await engine.publishMessage(new MessageType(), new MessageChannel('t', 'default'));
    await engine.publishMessage(new CascadingMessage(1), new MessageChannel('t', 'default'));
    await expect(engine.sendMessage(new CascadingMessage(1), id)).resolves.toBe('rpc');
    await engine.stopWhenIdle();
    expect(agent.handled).toEqual(['event', 'rpc']);
  });
});

describe('interventions', () => {
  class Counting extends DefaultInterventionHandler {
    sends = 0;
    publishes = 0;
    responses = 0;
    override async onSend(message: unknown): Promise<unknown> {
      this.sends++;
      return message;
    }
    override async onPublish(message: unknown): Promise<unknown> {
      this.publishes++;
      return message;
    }
    override async onResponse(message: unknown): Promise<unknown> {
      this.responses++;
      return message;
    }
  }

  it('counts sends, responses and publishes', async () => {
    const handler = new Counting();
    const engine = new LocalAgentEngine({ interventionHandlers: [handler] });
    await DefaultSubscribedLoopback.register(engine, 'name', () => new DefaultSubscribedLoopback());
    engine.start();
    const id = new AgentId('name', 'default');
    await expect(engine.sendMessage(new MessageType('x'), id)).resolves.toEqual(new MessageType('x'));
    await engine.publishMessage(new MessageType(), new DefaultMessageChannel());
    await engine.stopWhenIdle();
    expect([handler.sends, handler.responses, handler.publishes]).toEqual([1, 1, 1]);
    expect((await engine.tryGetUnderlyingAgentInstance(id, LoopbackAgent)).numCalls).toBe(2);
  });

  it('drops sends and responses', async () => {
    class DropSend extends DefaultInterventionHandler {
      override onSend(): unknown {
        return DropMessage;
      }
    }
    class DropResponse extends DefaultInterventionHandler {
      override onResponse(): unknown {
        return DropMessage;
      }
    }
    for (const handler of [new DropSend(), new DropResponse()]) {
      const engine = new LocalAgentEngine({ interventionHandlers: [handler] });
      await LoopbackAgent.register(engine, 'name', () => new LoopbackAgent());
      engine.start();
      await expect(engine.sendMessage(new MessageType(), new AgentId('name', 'default'))).rejects.toBeInstanceOf(MessageDroppedError);
      await engine.stopWhenIdle();
      const calls = (await engine.tryGetUnderlyingAgentInstance(new AgentId('name', 'default'), LoopbackAgent)).numCalls;
      expect(calls).toBe(handler instanceof DropSend ? 0 : 1);
    }
  });

  it('raises from onSend and onResponse into the caller', async () => {
    class InterventionError extends Error {}
    class RaiseSend extends DefaultInterventionHandler {
      override onSend(): unknown {
        throw new InterventionError('send');
      }
    }
    class RaiseResponse extends DefaultInterventionHandler {
      override onResponse(): unknown {
        throw new InterventionError('response');
      }
    }
    for (const handler of [new RaiseSend(), new RaiseResponse()]) {
      const engine = new LocalAgentEngine({ interventionHandlers: [handler] });
      await LoopbackAgent.register(engine, 'name', () => new LoopbackAgent());
      engine.start();
      await expect(engine.sendMessage(new MessageType(), new AgentId('name', 'default'))).rejects.toBeInstanceOf(InterventionError);
      await engine.stopWhenIdle();
    }
  });
});

describe('state', () => {
  class StatefulAgent extends RoutedAgent {
    state = 0;

    @messageHandler()
    async onCount(_message: MessageType, _ctx: MessageContext): Promise<number> {
      return ++this.state;
    }

    override async saveState(): Promise<AgentState> {
      return { state: this.state };
    }

    override async loadState(state: AgentState): Promise<void> {
      this.state = Number(state['state']);
    }
  }

  it('saves and loads engine and agent state', async () => {
    const engine = new LocalAgentEngine();
    await StatefulAgent.register(engine, 'stateful', () => new StatefulAgent('keeps a count'));
    const id = new AgentId('stateful', 'default');
    engine.start();
    await engine.sendMessage(new MessageType(), id);
    await engine.sendMessage(new MessageType(), id);
    await engine.stop();
    const engineState = await engine.saveState();
    expect(engineState).toEqual({ 'stateful/default': { state: 2 } });
    await expect(engine.agentSaveState(id)).resolves.toEqual({ state: 2 });

    const restored = new LocalAgentEngine();
    await StatefulAgent.register(restored, new AgentType('stateful').type, () => new StatefulAgent('keeps a count'));
    await restored.loadState(JSON.parse(JSON.stringify(engineState)));
    restored.start();
    await expect(restored.sendMessage(new MessageType(), id)).resolves.toBe(3);
    await restored.agentLoadState(id, { state: 10 });
    await expect(restored.sendMessage(new MessageType(), id)).resolves.toBe(11);
    await restored.stop();
  });
});

