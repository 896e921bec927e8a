import { getEventListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AsyncQueue, QueueShutDownError, QueueTaskDoneError } from './index.js';
import { describeMessageQueueConformance } from './testing.js';

describeMessageQueueConformance('AsyncQueue', (maxsize) => new AsyncQueue<number>(maxsize));

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('AsyncQueue', () => {
  it('is what a for await loop consumes: a producer and a consumer until shutdown', async () => {
    const queue = new AsyncQueue<string>(1);
    const producer = (async () => {
      for (const word of ['a', 'b', 'c']) await queue.put(word);
      queue.shutdown();
    })();
    const received: string[] = [];
    for await (const word of queue) received.push(word);
    await producer;
    expect(received).toEqual(['a', 'b', 'c']);
  });

  it('defaults to unbounded and exposes maxsize', () => {
    expect(new AsyncQueue().maxsize).toBe(0);
    expect(new AsyncQueue(5).maxsize).toBe(5);
  });

  it('treats a negative maxsize as unbounded, as asyncio.Queue does', () => {
    const queue = new AsyncQueue<number>(-1);
    for (let i = 0; i < 100; i++) queue.putNowait(i);
    expect([queue.full(), queue.qsize()]).toEqual([false, 100]);
  });

  it.each([
    [1.5, 'got 1.5'],
    [Number.NaN, 'got NaN'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    ['3', 'got "3"'],
  ])('rejects maxsize %s with a RangeError naming it', (maxsize, named) => {
    expect(() => new AsyncQueue(maxsize as number)).toThrow(RangeError);
    expect(() => new AsyncQueue(maxsize as number)).toThrow(named);
  });

  it('throws QueueTaskDoneError when taskDone outnumbers puts', () => {
    expect(() => new AsyncQueue().taskDone()).toThrow(QueueTaskDoneError);
  });

  it('put on a queue with room allocates no promise of its own', () => {
    const queue = new AsyncQueue<number>();
    expect(queue.put(1)).toBe(queue.put(2));
  });

  it('moves 200k items through an unbounded queue in FIFO order', async () => {
    const queue = new AsyncQueue<number>();
    const total = 200_000;
    let next = 0;
    // Bursts leave one item behind each round, so the ring buffer grows, wraps and shrinks often.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < total / 20; i++) queue.putNowait(round * (total / 20) + i);
      for (let i = 1; i < total / 20; i++) {
        const item = await queue.get();
        if (item !== next) throw new Error(`expected ${next}, got ${item}`);
        next++;
      }
    }
    while (!queue.empty()) expect(queue.getNowait()).toBe(next++);
    expect(next).toBe(total);
  });

  it('moves 200k items through a small bounded queue with backpressure', async () => {
    const queue = new AsyncQueue<number>(64);
    const total = 200_000;
    const producer = (async () => {
      for (let i = 0; i < total; i++) await queue.put(i);
    })();
    let expected = 0;
    while (expected < total) {
      const item = await queue.get();
      if (item !== expected || queue.qsize() > 64) throw new Error(`got ${item} at ${expected}, qsize ${queue.qsize()}`);
      expected++;
    }
    await producer;
    expect(queue.empty()).toBe(true);
  });

  it('is built without Array.prototype.shift (O(n) on large arrays)', () => {
    const dir = new URL('.', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(sources).toContain('ring-buffer.ts');
    for (const file of sources) expect(readFileSync(new URL(file, dir), 'utf8')).not.toMatch(/\.shift\(/);
  });

  describe('abort signals (beyond the MessageQueue contract)', () => {
    it('an aborted waiting get rejects with the reason and takes nothing', async () => {
      const queue = new AsyncQueue<number>();
      const controller = new AbortController();
      const aborted = queue.get({ signal: controller.signal });
      const next = queue.get();
      controller.abort(new Error('stop'));
      await expect(aborted).rejects.toThrow('stop');
      queue.putNowait(1);
      expect(await next).toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('an aborted waiting put adds nothing and the next putter gets the slot', async () => {
      const queue = new AsyncQueue<number>(1);
      queue.putNowait(1);
      const controller = new AbortController();
      const aborted = queue.put(2, { signal: controller.signal });
      const next = queue.put(3);
      controller.abort(new Error('stop'));
      await expect(aborted).rejects.toThrow('stop');
      expect(queue.getNowait()).toBe(1);
      await next;
      expect(queue.getNowait()).toBe(3);
      expect(queue.empty()).toBe(true);
    });

    it('an already aborted signal rejects at once without adding or taking', async () => {
      const queue = new AsyncQueue<number>();
      const signal = AbortSignal.abort(new Error('early'));
      await expect(queue.put(1, { signal })).rejects.toThrow('early');
      expect(queue.qsize()).toBe(0);
      queue.putNowait(2);
      await expect(queue.get({ signal })).rejects.toThrow('early');
      expect(queue.qsize()).toBe(1);
    });

    it('aborting after the item was handed over changes nothing and leaves no listener', async () => {
      const queue = new AsyncQueue<number>();
      const controller = new AbortController();
      const got = queue.get({ signal: controller.signal });
      queue.putNowait(7);
      controller.abort();
      expect(await got).toBe(7);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('shutdown rejects signalled waiters with QueueShutDownError and detaches their listeners', async () => {
      const queue = new AsyncQueue<number>();
      const controller = new AbortController();
      const got = queue.get({ signal: controller.signal });
      queue.shutdown(true);
      await expect(got).rejects.toBeInstanceOf(QueueShutDownError);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await settle();
    });
  });
});
