import { describe, expect, it } from 'vitest';
import { BinaryHeap } from './binary-heap.js';

describe('BinaryHeap', () => {
  it('pops in the order of a stable sort', () => {
    const heap = new BinaryHeap<[number, number]>((a, b) => a[0] - b[0]);
    const items = Array.from({ length: 500 }, (_, i): [number, number] => [(i * 7919) % 13, i]);
    items.forEach((item) => heap.push(item));
    const popped: [number, number][] = [];
    while (heap.size() > 0) popped.push(heap.pop());
    expect(popped).toEqual([...items].sort((a, b) => a[0] - b[0]));
  });

  it('loses no item when the comparator throws', () => {
    let failing = false;
    const heap = new BinaryHeap<number>((a, b) => {
      if (failing) throw new Error('bad compare');
      return a - b;
    });
    for (const n of [4, 2, 6, 1, 5]) heap.push(n);
    failing = true;
    expect(() => heap.push(0)).toThrow('bad compare');
    expect(() => heap.pop()).toThrow('bad compare');
    failing = false;
    const rest: number[] = [];
    while (heap.size() > 0) rest.push(heap.pop());
    expect(rest.sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6]);
  });
});
