import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs the tasks of one key one at a time, in the order they asked', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    let running = 0;
    const task = (name: string) => async (): Promise<string> => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((name) => mutex.run('k', task(name))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('does not hold one key up behind another', async () => {
    const mutex = new KeyedMutex();
    let releaseSlow!: () => void;
    const slow = mutex.run('slow', () => new Promise<void>((resolve) => (releaseSlow = resolve)));
    await expect(mutex.run('fast', async () => 'done')).resolves.toBe('done');
    releaseSlow();
    await slow;
  });

  it('passes on after a task that throws, and forgets idle keys', async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run('k', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('k', async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(mutex.size).toBe(0);
  });
});
