import { describe, expect, it } from 'vitest';
import { Countdown, Later, whenReady } from './later.js';

describe('Later', () => {
  it('hands its outcome to every waiter, before and after it arrives, once', () => {
    const later = new Later<number>();
    const seen: number[] = [];
    later.onEnd((value) => seen.push(value));
    later.end(1);
    later.end(2); // ignored: an outcome arrives once
    later.onEnd((value) => seen.push(value * 10));
    expect(seen).toEqual([1, 10]);
  });

  it('whenReady calls back at once with a plain outcome and later with a Later', () => {
    const seen: string[] = [];
    whenReady('now', (value) => seen.push(value));
    const later = new Later<string>();
    whenReady(later, (value) => seen.push(value));
    expect(seen).toEqual(['now']);
    later.end('later');
    expect(seen).toEqual(['now', 'later']);
  });
});

describe('Countdown', () => {
  it('ends once every added Later has ended, and at once when none was added', () => {
    let ended = false;
    new Countdown().seal().onEnd(() => (ended = true));
    expect(ended).toBe(true);

    const a = new Later<void>();
    const b = new Later<boolean>();
    const countdown = new Countdown();
    countdown.add(a);
    countdown.add(b);
    let all = false;
    countdown.seal().onEnd(() => (all = true));
    a.end();
    expect(all).toBe(false);
    b.end(true);
    expect(all).toBe(true);
  });
});
