import { AsyncQueue, PriorityAsyncQueue, QueueShutDownError, type MessageQueue } from '@agentopera/queue';
import { DefaultSerializationRegistry } from '@agentopera/serialization';
import { DefaultSubscriptionManager, TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, MessageChannel } from '@agentopera/types';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { MessageEnvelope } from './envelopes.js';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

/** A queue written for this test only: the engine must work with any MessageQueue. */
class ArrayQueue<T> implements MessageQueue<T> {
  private items: T[] = [];
  private getters: { resolve: (item: T) => void; reject: (error: unknown) => void }[] = [];
  private unfinished = 0;
  private joiners: (() => void)[] = [];
  private closed = false;
  puts = 0;

  async put(item: T): Promise<void> {
    this.putNowait(item);
  }
  putNowait(item: T): void {
    if (this.closed) throw new QueueShutDownError();
    this.puts++;
    this.unfinished++;
    const getter = this.getters.shift();
    if (getter) getter.resolve(item);
    else this.items.push(item);
  }
  get(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    if (this.closed) return Promise.reject(new QueueShutDownError());
    return new Promise((resolve, reject) => this.getters.push({ resolve, reject }));
  }
  getNowait(): T {
    if (this.items.length === 0) throw new QueueShutDownError();
    return this.items.shift() as T;
  }
  taskDone(): void {
    if (--this.unfinished === 0) for (const joiner of this.joiners.splice(0)) joiner();
  }
  join(): Promise<void> {
    return this.unfinished === 0 ? Promise.resolve() : new Promise((resolve) => this.joiners.push(resolve));
  }
  qsize(): number {
    return this.items.length;
  }
  empty(): boolean {
    return this.items.length === 0;
  }
  full(): boolean {
    return false;
  }
  shutdown(immediate = false): void {
    this.closed = true;
    if (immediate) {
      this.unfinished -= this.items.length;
      this.items = [];
    }
    for (const getter of this.getters.splice(0)) getter.reject(new QueueShutDownError());
  }
}

async function roundTrip(engine: LocalAgentEngine): Promise<unknown[]> {
  await engine.registerAgentBuilder('echo', () => new TestAgent((m) => `echo:${String(m)}`));
  await engine.subscribe(new TypeSubscription('t', 'echo'));
  engine.start();
  const replies = await Promise.all([1, 2, 3].map((n) => engine.sendMessage(n, new AgentId('echo', 'k'))));
  await engine.publishMessage('published', new MessageChannel('t', 'k'));
  await engine.stopWhenIdle();
  const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('echo', 'k'), TestAgent);
  return [...replies, agent.received.at(-1)];
}

const expected = ['echo:1', 'echo:2', 'echo:3', 'published'];

describe('swappable components', () => {
  it('works with a PriorityAsyncQueue', async () => {
    const engine = new LocalAgentEngine({ queue: () => new PriorityAsyncQueue<MessageEnvelope>(() => 0) });
    await expect(roundTrip(engine)).resolves.toEqual(expected);
  });

  it('hands envelopes out in the injected queue order', async () => {
    // Publishes before sends, whatever the order they were made in.
    const byKind = (a: MessageEnvelope, b: MessageEnvelope) => (a.kind === b.kind ? 0 : a.kind === 'publish' ? -1 : 1);
    const engine = new LocalAgentEngine({ queue: () => new PriorityAsyncQueue<MessageEnvelope>(byKind) });
    const order: unknown[] = [];
    await engine.registerAgentBuilder('rec', () => new TestAgent((m) => order.push(m)));
    await engine.subscribe(new TypeSubscription('t', 'rec'));
    const sent = engine.sendMessage('send-1', new AgentId('rec', 'k'));
    await engine.publishMessage('publish-1', new MessageChannel('t', 'k'));
    engine.start();
    await sent;
    await engine.stopWhenIdle();
    expect(order).toEqual(['publish-1', 'send-1']);
  });

  it('works with a hand-written queue of its own', async () => {
    const queues: ArrayQueue<MessageEnvelope>[] = [];
    const engine = new LocalAgentEngine({
      queue: () => {
        const queue = new ArrayQueue<MessageEnvelope>();
        queues.push(queue);
        return queue;
      },
    });
    await expect(roundTrip(engine)).resolves.toEqual(expected);
    expect(queues[0]!.puts).toBe(4);
  });

  it('works with a bounded queue (backpressure) without losing messages', async () => {
    const engine = new LocalAgentEngine({ queue: () => new AsyncQueue<MessageEnvelope>(2) });
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    const replies = Array.from({ length: 50 }, (_, i) => engine.sendMessage(i, new AgentId('echo', String(i % 5))));
    expect(engine.unprocessedMessagesCount).toBeLessThanOrEqual(2);
    engine.start();
    await expect(Promise.all(replies)).resolves.toEqual(Array.from({ length: 50 }, (_, i) => i));
    await engine.stop();
  });

  it('works with a real OpenTelemetry tracer provider', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const engine = new LocalAgentEngine({ tracerProvider: provider });
    await expect(roundTrip(engine)).resolves.toEqual(expected);
    expect(exporter.getFinishedSpans().length).toBeGreaterThan(0);
  });

  it('uses the subscription manager and serialization registry it is given', async () => {
    const subscriptionManager = new DefaultSubscriptionManager();
    const serializationRegistry = new DefaultSerializationRegistry();
    const engine = new LocalAgentEngine({ subscriptionManager, serializationRegistry });
    await engine.subscribe(new TypeSubscription('t', 'x'));
    expect(subscriptionManager.subscriptions).toHaveLength(1);
    engine.registerMsgSerializer({
      typeName: 'Thing',
      dataContentType: 'application/json',
      serialize: () => new Uint8Array(),
      deserialize: () => ({}),
    });
    expect(serializationRegistry.isRegistered('Thing')).toBe(true);
  });
});
