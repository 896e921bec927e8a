// One program, two engines: what a program written for LocalAgentEngine
// expects when its engine becomes a NatsAgentEngine.
import 'reflect-metadata';
import { RoutedAgent, event, rpc } from '@agentopera/agents';
import { ClassJsonMessageSerializer, JSON_DATA_CONTENT_TYPE, SerializationError, UnknownSerializerError, type MessageSerializer } from '@agentopera/serialization';
import { TypeSubscription } from '@agentopera/subscriptions';
import { CollectingEventLogger, UnhandledMessageEvent } from '@agentopera/telemetry';
import { AgentId, MessageChannel, ResponseClass, ResponseType } from '@agentopera/types';
import { Type } from 'class-transformer';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { uniqueName } from '../test-utils/names.js';
import { useNats } from '../test-utils/nats-fixture.js';
import { NatsAgentEngine } from './nats-agent-engine.js';
import type { NatsAgentEngineOptions } from './nats-engine-options.js';

class Detail {
  constructor(public note = '') {}
  shout(): string {
    return this.note.toUpperCase();
  }
}
class Answer {
  @Type(() => Detail)
  detail = new Detail();
  constructor(public text = '') {}
  describe(): string {
    return `answer: ${this.text}`;
  }
}
class Ask {
  declare readonly [ResponseType]?: Answer;
  static readonly [ResponseClass] = Answer;
  constructor(public question = '') {}
}
class Shout {
  constructor(public text = '') {}
}
class Unheard {
  constructor(public text = '') {}
}

class Oracle extends RoutedAgent {
  constructor() {
    super('oracle');
  }
  @rpc(Ask)
  async ask(message: Ask): Promise<Answer> {
    const answer = new Answer(`re: ${message.question}`);
    answer.detail = new Detail('nested');
    return answer;
  }
  @event(Shout)
  async shout(): Promise<void> {}
}

/** A serializer of another content type, registered alone for its type (autogen's test_proto_payloads). */
function protoSerializer(uses: string[]): MessageSerializer<Ask> {
  return {
    typeName: 'Ask',
    dataContentType: 'application/x-protobuf',
    serialize: (message) => {
      uses.push('serialize');
      return new TextEncoder().encode(`PB:${message.question}`);
    },
    deserialize: (bytes) => {
      uses.push('deserialize');
      return new Ask(new TextDecoder().decode(bytes).replace(/^PB:/, ''));
    },
  };
}

const TIMINGS = { leaseTtlMs: 1500, heartbeatMs: 150, memberTtlMs: 700, ackWaitMs: 2000, redeliveryDelayMs: 50 };

describe('NatsAgentEngine runs a LocalAgentEngine program unchanged', { timeout: 30_000 }, () => {
  const nats = useNats();
  const engines: NatsAgentEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => {})));
  });

  async function engine(cluster: string, extra: Partial<NatsAgentEngineOptions> = {}): Promise<NatsAgentEngine> {
    const e = await NatsAgentEngine.connect({ servers: nats.server.url, cluster, partitions: 2, timings: TIMINGS, rpcTimeoutMs: 20_000, ...extra });
    engines.push(e);
    return e;
  }

  async function hostAndCaller(extra: Partial<NatsAgentEngineOptions> = {}): Promise<{ host: NatsAgentEngine; caller: NatsAgentEngine }> {
    const cluster = uniqueName('parity');
    const host = await engine(cluster, extra);
    await Oracle.register(host, 'oracle', () => new Oracle());
    await host.start();
    return { host, caller: await engine(cluster, extra) };
  }

  it('infers sendMessage\'s result type from the message, as LocalAgentEngine does', () => {
    const call = (e: NatsAgentEngine) => e.sendMessage(new Ask('q'), new AgentId('oracle', 'k'));
    expectTypeOf(call).returns.resolves.toEqualTypeOf<Answer>();
    const untyped = (e: NatsAgentEngine) => e.sendMessage(new Shout('q'), new AgentId('oracle', 'k'));
    expectTypeOf(untyped).returns.resolves.toEqualTypeOf<unknown>();
    const explicit = (e: NatsAgentEngine) => e.sendMessage<string>({ text: 'q' }, new AgentId('oracle', 'k'));
    expectTypeOf(explicit).returns.resolves.toEqualTypeOf<string>();
  });

  it('sends a class the sender registered no serializer for, and rebuilds the declared response class, nested classes too', async () => {
    const { caller } = await hostAndCaller();
    const answer = await caller.sendMessage(new Ask('why'), new AgentId('oracle', 'k'));
    expect(answer).toBeInstanceOf(Answer);
    expect(answer.describe()).toBe('answer: re: why');
    expect(answer.detail).toBeInstanceOf(Detail);
    expect(answer.detail.shout()).toBe('NESTED');
  });

  it('rebuilds a result whose class has a serializer registered on the caller', async () => {
    class Plain {
      constructor(public question = '') {}
    }
    const cluster = uniqueName('parity');
    const host = await engine(cluster);
    class Host extends RoutedAgent {
      @rpc(Plain)
      async plain(message: Plain): Promise<Detail> {
        return new Detail(message.question);
      }
    }
    await Host.register(host, 'host', () => new Host('host'));
    await host.start();
    const caller = await engine(cluster);
    expect(await caller.sendMessage(new Plain('a'), new AgentId('host', 'k'))).not.toBeInstanceOf(Detail);
    caller.registerMsgSerializer(new ClassJsonMessageSerializer(Detail));
    const detail = await caller.sendMessage(new Plain('b'), new AgentId('host', 'k'));
    expect(detail).toBeInstanceOf(Detail);
    expect((detail as Detail).shout()).toBe('B');
  });

  it('puts a serializer of another content type, registered alone, on the wire', async () => {
    const hostUses: string[] = [];
    const callerUses: string[] = [];
    const cluster = uniqueName('parity');
    const host = await engine(cluster);
    host.registerMsgSerializer(protoSerializer(hostUses));
    await host.registerAgentBuilder('oracle', () => new Oracle());
    await host.start();
    const caller = await engine(cluster);
    caller.registerMsgSerializer(protoSerializer(callerUses));
    const answer = await caller.sendMessage(new Ask('proto'), new AgentId('oracle', 'k'));
    expect(answer.describe()).toBe('answer: re: proto');
    expect(callerUses).toEqual(['serialize']);
    expect(hostUses).toEqual(['deserialize']);
  });

  it('rejects the caller at once, with the host\'s UnknownSerializerError listing what is registered, when the host cannot decode the message', async () => {
    const cluster = uniqueName('parity');
    const host = await engine(cluster);
    // Registered without its class: the host knows no serializer for Ask but the protobuf one.
    host.registerMsgSerializer(protoSerializer([]));
    await host.registerAgentBuilder('oracle', () => new Oracle());
    await host.start();
    const caller = await engine(cluster, { rpcTimeoutMs: 60_000 });
    const error = await caller.sendMessage(new Ask('x'), new AgentId('oracle', 'k'), { signal: AbortSignal.timeout(20_000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownSerializerError);
    expect((error as UnknownSerializerError).dataContentType).toBe(JSON_DATA_CONTENT_TYPE);
    expect((error as UnknownSerializerError).registeredContentTypes).toEqual(['application/x-protobuf']);
    expect((error as Error).message).toContain('"application/x-protobuf"');
  });

  it('rejects the caller at once, with SerializationError, when the host cannot encode the result', async () => {
    class Huge {
      constructor(public n = 0) {}
    }
    const cluster = uniqueName('parity');
    const host = await engine(cluster);
    class Counter extends RoutedAgent {
      @rpc(Huge)
      async huge(message: Huge): Promise<{ big: bigint }> {
        return { big: BigInt(message.n) };
      }
    }
    await Counter.register(host, 'counter', () => new Counter('counter'));
    await host.start();
    const caller = await engine(cluster, { rpcTimeoutMs: 60_000 });
    const error = await caller.sendMessage(new Huge(1), new AgentId('counter', 'k'), { signal: AbortSignal.timeout(20_000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).typeName).toBe('Object');
  });

  it('emits UnhandledMessageEvent for a published message an agent has no handler for, its payload showing the message', async () => {
    const logger = new CollectingEventLogger();
    const cluster = uniqueName('parity');
    const host = await engine(cluster, { eventLogger: logger });
    await Oracle.register(host, 'oracle', () => new Oracle());
    host.registerMsgSerializer(new ClassJsonMessageSerializer(Unheard));
    await host.subscribe(new TypeSubscription('news', 'oracle'));
    await host.start();
    const caller = await engine(cluster);
    await caller.publishMessage(new Unheard('psst'), new MessageChannel('news', 'k'));
    await expect.poll(() => logger.events.filter((e) => e instanceof UnhandledMessageEvent).length, { timeout: 15_000 }).toBe(1);
    const unhandled = logger.events.find((e): e is UnhandledMessageEvent => e instanceof UnhandledMessageEvent);
    expect(unhandled?.messageType).toBe('Unheard');
    expect(unhandled?.payload).toContain('psst');
  });
});
