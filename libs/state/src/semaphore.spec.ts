import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('never runs more than its limit at once, and runs every task in the order it came', async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        semaphore.run(async () => {
          started.push(n);
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          if (n === 5) throw new Error('task 5 fails');
          return n;
        }).catch((error: Error) => error.message),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(results[5]).toBe('task 5 fails');
    expect(results.filter((result) => typeof result === 'number')).toHaveLength(19);
  });
});
