import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

function drain(buffer: RingBuffer<number>): number[] {
  const items: number[] = [];
  while (buffer.size() > 0) items.push(buffer.pop());
  return items;
}

describe('RingBuffer', () => {
  it('keeps FIFO order across wrap-around and growth', () => {
    const buffer = new RingBuffer<number>();
    for (let i = 0; i < 10; i++) buffer.push(i);
    const head = [buffer.pop(), buffer.pop(), buffer.pop()];
    // The write position wraps past the end, then the buffer must grow while wrapped.
    for (let i = 10; i < 40; i++) buffer.push(i);
    expect([...head, ...drain(buffer)]).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('shrinks back after a burst', () => {
    const buffer = new RingBuffer<number>();
    const initial = buffer.capacity();
    for (let i = 0; i < 10_000; i++) buffer.push(i);
    expect(buffer.capacity()).toBeGreaterThanOrEqual(10_000);
    expect(drain(buffer)).toHaveLength(10_000);
    expect(buffer.capacity()).toBe(initial);
  });

  it('clear drops every item', () => {
    const buffer = new RingBuffer<number>();
    for (let i = 0; i < 100; i++) buffer.push(i);
    buffer.clear();
    expect(buffer.size()).toBe(0);
    buffer.push(7);
    expect(drain(buffer)).toEqual([7]);
  });
});
