import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreDeadlines } from './store-deadlines.js';

describe('StoreDeadlines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('times out each call once its own deadline passes, oldest first, with one timer', () => {
    const deadlines = new StoreDeadlines(100);
    const timedOut: string[] = [];
    const a = deadlines.add(() => timedOut.push('a'));
    vi.advanceTimersByTime(40);
    const b = deadlines.add(() => timedOut.push('b'));
    vi.advanceTimersByTime(40);
    deadlines.add(() => timedOut.push('c'));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(21); // a at 101 ms
    expect(timedOut).toEqual(['a']);
    expect(deadlines.settle(a)).toBe(false); // too late: its outcome is ignored
    expect(deadlines.settle(b)).toBe(true); // settled in time: never times out
    vi.advanceTimersByTime(100);
    expect(timedOut).toEqual(['a', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms again for calls added after the list emptied', () => {
    const deadlines = new StoreDeadlines(50);
    const timedOut: number[] = [];
    deadlines.settle(deadlines.add(() => timedOut.push(1)));
    vi.advanceTimersByTime(60);
    deadlines.add(() => timedOut.push(2));
    vi.advanceTimersByTime(49);
    expect(timedOut).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(timedOut).toEqual([2]);
  });
});
