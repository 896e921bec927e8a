import 'reflect-metadata';
import { describe, expect, it, vi } from 'vitest';
import { AgentId, CantHandleError, MessageChannel, type MessageContext } from '@agentopera/types';
import { event, messageHandler, rpc } from './message-handlers.js';
import { RoutedAgent } from './routed-agent.js';
import { HandlerDefinitionError } from './errors.js';
import { FakeEngine } from './test-utils/fake-engine.js';

class Ping {
  constructor(readonly text = 'ping') {}
}
class Pong {}
class LoudPing extends Ping {}

interface Shaped {
  shape: string;
}

const CHANNEL = new MessageChannel('default', 'k');

/** Registers `cls` as type "agent" and returns a send and a publish bound to agent/k. */
async function start(cls: new (description: string) => RoutedAgent) {
  const engine = new FakeEngine();
  await engine.registerAgentBuilder('agent', () => new cls('under test'));
  const id = new AgentId('agent', 'k');
  await engine.subscribe({
    id: 'all',
    isMatch: () => true,
    mapToAgent: () => id,
    equals: (other) => other.id === 'all',
  });
  return {
    engine,
    send: (message: unknown) => engine.sendMessage(message, id),
    publish: (message: unknown) => engine.publishMessage(message, CHANNEL),
  };
}

describe('handler decorator forms', () => {
  it('infers the message class from the parameter type', async () => {
    class Agent extends RoutedAgent {
      @messageHandler()
      async onPing(message: Ping): Promise<string> {
        return `got ${message.text}`;
      }
    }
    const { send } = await start(Agent);
    expect(await send(new Ping('a'))).toBe('got a');
    await expect(send(new Pong())).rejects.toThrow(CantHandleError);
  });

  it('takes an explicit class, overriding the parameter type', async () => {
    class Agent extends RoutedAgent {
      @messageHandler(Pong) async onAnything(_message: unknown) { return 'pong handler'; }
    }
    const { send } = await start(Agent);
    expect(await send(new Pong())).toBe('pong handler');
    await expect(send(new Ping())).rejects.toThrow(CantHandleError);
  });

  it('takes an array of classes', async () => {
    class Agent extends RoutedAgent {
      @messageHandler([Ping, Pong])
      async onEither(message: Ping | Pong): Promise<string> {
        return message.constructor.name;
      }
    }
    const { send } = await start(Agent);
    expect(await send(new Ping())).toBe('Ping');
    expect(await send(new Pong())).toBe('Pong');
    await expect(send('text')).rejects.toThrow(CantHandleError);
  });

  it('routes by match with an inferred class, falling through when it is false', async () => {
    class Agent extends RoutedAgent {
      @messageHandler({ match: (message: Ping) => message.text === 'special' })
      async onSpecial(_message: Ping) { return 'special'; }

      @messageHandler() async onOther(_message: Ping) { return 'other'; }
    }
    const { send } = await start(Agent);
    expect(await send(new Ping('special'))).toBe('special');
    expect(await send(new Ping('plain'))).toBe('other');
  });

  it('routes by class and match together, passing the context to match', async () => {
    const seen: MessageContext[] = [];
    class Agent extends RoutedAgent {
      @messageHandler(Ping, {
        match: (message, ctx) => {
          seen.push(ctx);
          return message.text.startsWith('x');
        },
      })
      async onX(): Promise<string> {
        return 'x';
      }
    }
    const { send } = await start(Agent);
    expect(await send(new Ping('xy'))).toBe('x');
    await expect(send(new Ping('y'))).rejects.toThrow(CantHandleError);
    await expect(send(new Pong())).rejects.toThrow(CantHandleError);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.isRpc).toBe(true);
  });

  it('routes by an array of classes and match together', async () => {
    class Agent extends RoutedAgent {
      @rpc([Ping, Pong], { match: (message) => message instanceof Pong })
      async onPongOnly() { return 'pong'; }
    }
    const { send } = await start(Agent);
    expect(await send(new Pong())).toBe('pong');
    await expect(send(new Ping())).rejects.toThrow(CantHandleError);
  });
});

describe('routing', () => {
  it('gives the message to the first applicable handler in declaration order', async () => {
    class Agent extends RoutedAgent {
      @rpc(Pong) async b() { return 'pong'; }
      @rpc(Ping) async z() { return 'first Ping handler'; }
      @rpc(Ping) async a() { return 'second Ping handler'; }
    }
    const { send } = await start(Agent);
    expect(await send(new Ping())).toBe('first Ping handler');
  });

  it('delivers only published messages to @event and only sent ones to @rpc', async () => {
    const calls: string[] = [];
    class Agent extends RoutedAgent {
      @event()
      async onEvent(message: Ping, ctx: MessageContext): Promise<void> {
        calls.push(`event ${message.text} rpc=${ctx.isRpc}`);
      }

      @rpc()
      async onRpc(message: Ping, ctx: MessageContext): Promise<string> {
        calls.push(`rpc ${message.text} rpc=${ctx.isRpc}`);
        return 'reply';
      }
    }
    const { send, publish } = await start(Agent);
    await publish(new Ping('published'));
    expect(await send(new Ping('sent'))).toBe('reply');
    expect(calls).toEqual(['event published rpc=false', 'rpc sent rpc=true']);
  });

  it('does not give a sent message to an @event handler', async () => {
    class Agent extends RoutedAgent {
      @event()
      async onEvent(_message: Ping): Promise<void> {}
    }
    const { send } = await start(Agent);
    await expect(send(new Ping())).rejects.toThrow(CantHandleError);
  });

  it('does not give a published message to an @rpc handler', async () => {
    const onRpc = vi.fn();
    class Agent extends RoutedAgent {
      @rpc()
      async onRpc(message: Ping): Promise<void> {
        onRpc(message);
      }
    }
    const { publish } = await start(Agent);
    await publish(new Ping());
    expect(onRpc).not.toHaveBeenCalled();
  });

  it('routes instances of subclasses of a handled class', async () => {
    class Agent extends RoutedAgent {
      @messageHandler()
      async onPing(message: Ping): Promise<string> {
        return `ping handler got ${message.constructor.name}`;
      }
    }
    const { send } = await start(Agent);
    expect(await send(new LoudPing())).toBe('ping handler got LoudPing');
    expect(await send(new Ping())).toBe('ping handler got Ping');
  });

  it('matches primitives by their wrapper class', async () => {
    class Agent extends RoutedAgent {
      @messageHandler()
      async onText(message: string): Promise<string> {
        return `text ${message}`;
      }

      @messageHandler(Number)
      async onNumber(message: number): Promise<number> {
        return message + 1;
      }

      @messageHandler([Boolean])
      async onFlag(message: boolean): Promise<boolean> {
        return !message;
      }
    }
    const { send } = await start(Agent);
    expect(await send('hi')).toBe('text hi');
    expect(await send(41)).toBe(42);
    expect(await send(true)).toBe(false);
    await expect(send(new String('boxed'))).resolves.toBe('text boxed');
    await expect(send(null)).rejects.toThrow(CantHandleError);
  });

  it('passes the context and binds this to the agent', async () => {
    class Agent extends RoutedAgent {
      @messageHandler()
      async onPing(_message: Ping, ctx: MessageContext): Promise<string> {
        return `${this.id.toString()} ${ctx.messageId}`;
      }
    }
    const engine = new FakeEngine();
    await engine.registerAgentBuilder('agent', () => new Agent('d'));
    expect(await engine.sendMessage(new Ping(), new AgentId('agent', 'k'), { messageId: 'm1' })).toBe('agent/k m1');
  });
});

describe('unhandled messages', () => {
  class Quiet extends RoutedAgent {
    @messageHandler()
    async onPing(_message: Ping): Promise<void> {}
  }

  it('rejects an unhandled RPC with CantHandleError naming the agent and message type', async () => {
    const { send } = await start(Quiet);
    const error: unknown = await send(new Pong()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CantHandleError);
    expect((error as Error).message).toContain('agent/k');
    expect((error as Error).message).toContain('Pong');
  });

  it('resolves an unhandled published message to NotHandled, for the engine to report, without logging', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(() => undefined),
    );
    try {
      const { engine, publish } = await start(Quiet);
      await publish(new Pong());
      expect(engine.unhandled.map(({ message, recipient }) => [message, recipient.toString()])).toEqual([[new Pong(), 'agent/k']]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('calls an overridden onUnhandledMessage for both kinds', async () => {
    class Fallback extends Quiet {
      readonly unhandled: string[] = [];
      protected override async onUnhandledMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
        this.unhandled.push(`${(message as object).constructor.name} rpc=${ctx.isRpc}`);
        return 'fallback';
      }
    }
    const engine = new FakeEngine();
    await engine.registerAgentBuilder('agent', () => new Fallback('d'));
    const id = new AgentId('agent', 'k');
    expect(await engine.sendMessage(new Pong(), id)).toBe('fallback');
    expect(await engine.sendMessage(new Ping(), id)).toBeUndefined();
    const agent = await engine.tryGetUnderlyingAgentInstance(id, Fallback);
    expect(agent.unhandled).toEqual(['Pong rpc=true']);
  });
});

describe('handler definition errors', () => {
  it('rejects a handler whose message type cannot be learned, at class definition', () => {
    const define = () => {
      class Agent extends RoutedAgent {
        @messageHandler()
        async onShape(_message: Shaped): Promise<void> {}
      }
      return Agent;
    };
    expect(define).toThrow(HandlerDefinitionError);
    expect(define).toThrow(/^@messageHandler\(\) on Agent\.onShape: .*name the message class: @messageHandler\(MyMessage\)$/);
  });

  it('rejects an unknown parameter type and a missing parameter for @event and @rpc too', () => {
    expect(() => {
      class Agent extends RoutedAgent {
        @event()
        async onAnything(_message: unknown): Promise<void> {}
      }
      return Agent;
    }).toThrow(/@event\(\) on Agent\.onAnything/);
    expect(() => {
      class Agent extends RoutedAgent {
        @rpc({ match: () => true })
        async onNothing(): Promise<void> {}
      }
      return Agent;
    }).toThrow(HandlerDefinitionError);
  });

  it('rejects things that are not classes and bad options', () => {
    const arrow = (() => undefined) as unknown as typeof Ping;
    expect(() => messageHandler(arrow)({} as RoutedAgent, 'm', { value: () => undefined })).toThrow(/not a class/);
    expect(() => messageHandler([])({} as RoutedAgent, 'm', { value: () => undefined })).toThrow(/empty/);
    expect(() =>
      messageHandler(Ping, { match: 'yes' as unknown as () => boolean })({} as RoutedAgent, 'm', { value: () => undefined }),
    ).toThrow(/match must be a function/);
    expect(() =>
      rpc(Ping, { interleave: 'yes' as unknown as boolean })({} as RoutedAgent, 'm', { value: () => undefined }),
    ).toThrow(/interleave must be true or false/);
  });

  it('names the decorator as written, with its class and options', () => {
    expect(() => {
      class Agent extends RoutedAgent {
        // @ts-expect-error handlers must be instance methods
        @rpc(Ping, { match: () => true })
        static async onPing(): Promise<void> {}
      }
      return Agent;
    }).toThrow(/^@rpc\(Ping, \{ match \}\) on Agent\.onPing: handlers must be instance methods, not static ones$/);
  });

  it('says to call the decorator when it is used without parentheses', () => {
    const bare = rpc as unknown as (target: object, key: string, descriptor: PropertyDescriptor) => void;
    expect(() => bare({}, 'onPing', { value: () => undefined })).toThrow('@rpc must be called with the message class: write @rpc(MyMessage), not @rpc');
    const bareStandard = event as unknown as (method: () => void, context: { kind: string; name: string }) => void;
    expect(() => bareStandard(() => undefined, { kind: 'method', name: 'onPing' })).toThrow('write @event(MyMessage), not @event');
  });
});

describe('inheritance', () => {
  class Base extends RoutedAgent {
    @messageHandler() async onPing(_message: Ping) { return 'base ping'; }

    @messageHandler() async onPong(_message: Pong) { return 'base pong'; }
  }

  it('routes to inherited handlers, trying the subclass handlers first', async () => {
    class Derived extends Base {
      @messageHandler() async onLoud(_message: LoudPing) { return 'derived loud'; }

      @messageHandler() async onAnyPing(_message: Ping) { return 'derived ping'; }
    }
    const { send } = await start(Derived);
    expect(await send(new LoudPing())).toBe('derived loud');
    expect(await send(new Ping())).toBe('derived ping');
    expect(await send(new Pong())).toBe('base pong');
  });

  it('runs an undecorated override with the parent routing, and a re-decorated one with its own', async () => {
    class Derived extends Base {
      override async onPing(_message: Ping): Promise<string> {
        return 'overridden ping';
      }

      // Re-decorated for another class: replaces the parent's Pong routing for this name.
      @rpc(LoudPing)
      override async onPong(message: unknown, ctx?: MessageContext): Promise<string> {
        return `redecorated ${(message as object).constructor.name} rpc=${ctx?.isRpc}`;
      }
    }
    const { send } = await start(Derived);
    expect(await send(new Ping())).toBe('overridden ping');
    expect(await send(new LoudPing())).toBe('redecorated LoudPing rpc=true');
    await expect(send(new Pong())).rejects.toThrow(CantHandleError);
    const { send: sendBase } = await start(Base);
    expect(await sendBase(new Ping())).toBe('base ping');
  });
});

describe('decorator metadata', () => {
  it('is emitted for decorated handler methods in this library', () => {
    class Agent extends RoutedAgent {
      @messageHandler()
      async onPing(_message: Ping, _ctx: MessageContext): Promise<void> {}
    }
    expect(Reflect.getMetadata('design:paramtypes', Agent.prototype, 'onPing')).toEqual([Ping, Object]);
  });
});
