import { AsyncQueue } from '@agentopera/queue';
import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, EngineStoppedError, MessageChannel } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import type { MessageEnvelope } from './envelopes.js';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

// Issue 6, load: nothing lost and nothing hung with many messages in flight.

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tracks how a batch of promises settles, without waiting on any one of them. */
function tally(promises: readonly Promise<unknown>[]) {
  const counts = { resolved: 0, stopped: 0, other: [] as unknown[] };
  for (const promise of promises) {
    promise.then(
      () => counts.resolved++,
      (error: unknown) => (error instanceof EngineStoppedError ? counts.stopped++ : counts.other.push(error)),
    );
  }
  return counts;
}

/** An AsyncQueue that remembers the largest size it ever reached. */
class MeasuredQueue<T> extends AsyncQueue<T> {
  largest = 0;

  override put(item: T): Promise<void> {
    const done = super.put(item);
    this.measure();
    return done;
  }
  override putNowait(item: T): void {
    super.putNowait(item);
    this.measure();
  }
  override get(): Promise<T> {
    const item = super.get();
    this.measure();
    return item;
  }
  override getNowait(): T {
    const item = super.getNowait();
    this.measure();
    return item;
  }
  private measure(): void {
    this.largest = Math.max(this.largest, this.qsize());
  }
}

async function stopUnderLoad(engine: LocalAgentEngine, total: number, stopAfter: number) {
  let handled = 0;
  let stopping: Promise<void> | undefined;
  await engine.registerAgentBuilder('worker', () =>
    new TestAgent((message) => {
      // Stop from inside the stream of handlers, so it lands while most sends are still queued.
      if (++handled === stopAfter) stopping = engine.stop();
      return message;
    }),
  );
  engine.start();
  const replies: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) replies.push(engine.sendMessage(i, new AgentId('worker', `k${i % 100}`)));
  const counts = tally(replies);
  while (stopping === undefined) await settle();
  await stopping;
  await settle();
  return { counts, handled: () => handled };
}

describe('stop under load', () => {
  it('settles every one of 100,000 sends when stop() lands in the middle, then restarts and serves', async () => {
    const engine = new LocalAgentEngine();
    const total = 100_000;
    const { counts, handled } = await stopUnderLoad(engine, total, 30_000);
    expect(counts.other).toEqual([]);
    expect(counts.resolved + counts.stopped).toBe(total);
    expect(counts.resolved).toBe(handled());
    expect(counts.resolved).toBeGreaterThanOrEqual(30_000);
    expect(counts.stopped).toBeGreaterThan(0);
    expect(engine.unprocessedMessagesCount).toBe(0);

    engine.start();
    await expect(engine.sendMessage('after restart', new AgentId('worker', 'k0'))).resolves.toBe('after restart');
    await engine.stopWhenIdle();
  }, 60_000); // 100,000 sends: generous on a loaded 2-core machine (a hang guard, not a speed check)

  it('settles every send, including producers waiting on a full bounded queue', async () => {
    const engine = new LocalAgentEngine({ queue: () => new AsyncQueue<MessageEnvelope>(1_000) });
    const total = 20_000;
    const { counts } = await stopUnderLoad(engine, total, 5_000);
    expect(counts.other).toEqual([]);
    expect(counts.resolved + counts.stopped).toBe(total);
    expect(counts.stopped).toBeGreaterThan(0);
  });
});

describe('backpressure', () => {
  it('keeps a bounded queue at or under its bound: producers wait in put, and every message arrives', async () => {
    const bound = 16;
    const queues: MeasuredQueue<MessageEnvelope>[] = [];
    const engine = new LocalAgentEngine({
      queue: () => {
        const queue = new MeasuredQueue<MessageEnvelope>(bound);
        queues.push(queue);
        return queue;
      },
    });
    const received = new Set<unknown>();
    await engine.registerAgentBuilder('sink', () => new TestAgent((message) => received.add(message)));
    await engine.subscribe(new TypeSubscription('load', 'sink'));

    const total = 5_000;
    const enqueued = new Array<boolean>(total).fill(false);
    const publishes = Array.from({ length: total }, (_, i) =>
      engine.publishMessage(i, new MessageChannel('load', `s${i % 10}`)).then(() => (enqueued[i] = true)),
    );
    await settle();
    // Not started: only `bound` messages fit, every other producer is still waiting in put.
    expect(engine.unprocessedMessagesCount).toBe(bound);
    expect(enqueued.filter(Boolean).length).toBe(bound);

    engine.start();
    await Promise.all(publishes);
    await engine.stopWhenIdle();
    expect(received.size).toBe(total);
    expect(Math.max(...queues.map((q) => q.largest))).toBe(bound);
  });
});
