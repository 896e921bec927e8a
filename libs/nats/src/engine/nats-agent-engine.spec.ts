import { ClosureAgent, RoutedAgent, event, rpc } from '@agentopera/agents';
import { ClassJsonMessageSerializer } from '@agentopera/serialization';
import { TypeSubscription } from '@agentopera/subscriptions';
import {
  AgentId,
  AgentNotFoundError,
  CancelledError,
  CantHandleError,
  MessageChannel,
  type MessageContext,
} from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { DeliveryTimeoutError, RemoteHandlerError } from '../errors.js';
import { NatsAgentEngine } from './nats-agent-engine.js';
import type { NatsAgentEngineOptions } from './nats-engine-options.js';

class Ping {
  constructor(public text = '') {}
}
class Slow {
  constructor(public ms = 0) {}
}
class Boom {}
class Note {
  constructor(public text = '') {}
}

class Echo extends RoutedAgent {
  seen: string[] = [];
  constructor() {
    super('echo');
  }
  @rpc(Ping)
  async ping(message: Ping, ctx: MessageContext): Promise<{ echo: string; by: string; sender: string | null }> {
    return { echo: message.text, by: this.id.toString(), sender: ctx.sender?.toString() ?? null };
  }
  @rpc(Slow)
  async slow(message: Slow, ctx: MessageContext): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, message.ms);
      ctx.cancellationToken.addCallback(() => {
        clearTimeout(timer);
        reject(new Error('cancelled in the handler'));
      });
    });
    return 'done';
  }
  @rpc(Boom)
  async boom(): Promise<never> {
    const error = new TypeError('remote failure');
    throw error;
  }
  @event(Note)
  async note(message: Note): Promise<void> {
    this.seen.push(message.text);
  }
}

const TIMINGS = { leaseTtlMs: 1500, heartbeatMs: 150, memberTtlMs: 700, ackWaitMs: 2000, redeliveryDelayMs: 50 };

describe('NatsAgentEngine (engines in one process, each with its own connection)', { timeout: 30_000 }, () => {
  const nats = useNats();
  const engines: NatsAgentEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => {})));
  });

  async function engine(cluster: string, extra: Partial<NatsAgentEngineOptions> = {}): Promise<NatsAgentEngine> {
    const e = await NatsAgentEngine.connect({ servers: nats.server.url, cluster, partitions: 4, timings: TIMINGS, rpcTimeoutMs: 10_000, ...extra });
    engines.push(e);
    return e;
  }

  it('sends across engines: the answer, the handler\'s errors, unknown types at once', async () => {
    const cluster = uniqueName('c');
    const host = await engine(cluster);
    await Echo.register(host, 'echo', () => new Echo());
    await host.start();
    const caller = await engine(cluster);
    caller.registerMsgSerializer([Ping, Boom, Slow, Note].map((cls) => new ClassJsonMessageSerializer(cls)));
    const answer = await caller.sendMessage(new Ping('hi'), new AgentId('echo', 'a.b *'));
    expect(answer).toEqual({ echo: 'hi', by: 'echo/a.b *', sender: null });
    await expect(caller.sendMessage(new Boom(), new AgentId('echo', 'x'))).rejects.toMatchObject({
      name: 'RemoteHandlerError',
      remoteName: 'TypeError',
      remoteMessage: 'remote failure',
    });
    await expect(caller.sendMessage(new Boom(), new AgentId('echo', 'x'))).rejects.toBeInstanceOf(RemoteHandlerError);
    await expect(caller.sendMessage(new Note('rpc to an event handler'), new AgentId('echo', 'x'))).rejects.toBeInstanceOf(CantHandleError);
    await expect(caller.sendMessage(new Ping(), new AgentId('nobody', 'x'))).rejects.toBeInstanceOf(AgentNotFoundError);
    class Unregistered {}
    await expect(caller.sendMessage(new Unregistered(), new AgentId('echo', 'x'))).rejects.toThrow(/Unregistered/);
  });

  it('cancels across processes and times out when nobody hosts the type any more', async () => {
    const cluster = uniqueName('c');
    const host = await engine(cluster);
    await Echo.register(host, 'echo', () => new Echo());
    await host.start();
    const controller = new AbortController();
    const call = host.sendMessage(new Slow(60_000), new AgentId('echo', 'k'), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort(new Error('user gave up'));
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await host.stop();
    const caller = await engine(cluster, { rpcTimeoutMs: 500 });
    caller.registerMsgSerializer(new ClassJsonMessageSerializer(Ping));
    await expect(caller.sendMessage(new Ping('x'), new AgentId('echo', 'k'))).rejects.toBeInstanceOf(DeliveryTimeoutError);
  });

  it('publishes to subscriptions made on another engine, once per agent, never back to the sender', async () => {
    const cluster = uniqueName('c');
    const host = await engine(cluster);
    const got: string[] = [];
    await ClosureAgent.register(host, 'listener', async (agent, message) => {
      got.push(`${agent.id.key}:${(message as Note).text}`);
    });
    host.registerMsgSerializer(new ClassJsonMessageSerializer(Note));
    await host.start();
    const other = await engine(cluster);
    other.registerMsgSerializer(new ClassJsonMessageSerializer(Note));
    await other.subscribe(new TypeSubscription('news', 'listener'));
    await host.publishMessage(new Note('one'), new MessageChannel('news', 'src.*>'));
    await other.publishMessage(new Note('two'), new MessageChannel('news', 'src.*>'));
    await other.publishMessage(new Note('self'), new MessageChannel('news', 'me'), { sender: new AgentId('listener', 'me') });
    await vi.waitFor(() => expect(got.sort()).toEqual(['src.*>:one', 'src.*>:two']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got).toHaveLength(2);
  });

  it('lifecycle: idle deactivation, state that outlives its process, stopWhenIdle, close', async () => {
    const cluster = uniqueName('c');
    const first = await engine(cluster);
    class Counter extends RoutedAgent {
      n = 0;
      constructor() {
        super('counter');
      }
      @rpc(Ping)
      async add(): Promise<number> {
        return ++this.n;
      }
      override async saveState(): Promise<{ n: number }> {
        return { n: this.n };
      }
      override async loadState(state: Record<string, unknown>): Promise<void> {
        this.n = Number(state['n']);
      }
    }
    await Counter.register(first, 'counter', () => new Counter(), { concurrency: 'serial', persistence: 'turn', idleTimeoutMs: 200 });
    await first.start();
    const id = new AgentId('counter', 'life');
    expect(await first.sendMessage(new Ping(), id)).toBe(1);
    expect(first.activeAgentCount).toBe(1);
    await vi.waitFor(() => expect(first.activeAgentCount).toBe(0), { timeout: 3000 }); // idle: saved and dropped
    expect(await first.sendMessage(new Ping(), id)).toBe(2); // built again, state loaded
    await first.stopWhenIdle();
    await first.close();
    // Another process of the cluster picks the agent up with its state.
    const second = await engine(cluster);
    await Counter.register(second, 'counter', () => new Counter(), { concurrency: 'serial', persistence: 'turn' });
    await second.start();
    expect(await second.sendMessage(new Ping(), id)).toBe(3);
    expect(second.counts.activated).toBe(1);
  });
});
