import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkedList, ListNode } from './linked-list.js';

type Op = { readonly kind: 'push' | 'remove'; readonly item: number } | { readonly kind: 'first' };

describe('LinkedList', () => {
  it('keeps items in the order they were last pushed, through any mix of pushes and removals', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), item: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ kind: fc.constant('remove' as const), item: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ kind: fc.constant('first' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops: Op[]) => {
        const list = new LinkedList<number>();
        const nodes = Array.from({ length: 16 }, (_, item) => new ListNode(item));
        let model: number[] = [];
        for (const step of ops) {
          if (step.kind === 'push') {
            list.push(nodes[step.item]);
            model = [...model.filter((item) => item !== step.item), step.item];
          } else if (step.kind === 'remove') {
            expect(list.remove(nodes[step.item])).toBe(model.includes(step.item));
            model = model.filter((item) => item !== step.item);
          } else {
            expect(list.first()).toBe(model[0]);
          }
          expect([...list]).toEqual(model);
          expect(list.size).toBe(model.length);
        }
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });

  it('first() is the oldest remaining item after the oldest ones are removed', () => {
    // A Map used as a queue (delete the head, add at the tail) keeps a hole per deletion, which
    // `first()` would have to walk; the list's head is always the oldest live item.
    const list = new LinkedList<number>();
    const nodes = Array.from({ length: 10_000 }, (_, item) => new ListNode(item));
    for (const node of nodes) list.push(node);
    for (let i = 0; i < 9_999; i++) list.remove(nodes[i]);
    expect(list.first()).toBe(9_999);
    expect(list.size).toBe(1);
  });

  it('clear() unlists every node, so each can be pushed again', () => {
    const list = new LinkedList<string>();
    const a = new ListNode('a');
    const b = new ListNode('b');
    list.push(a);
    list.push(b);
    list.clear();
    expect(list.first()).toBeUndefined();
    expect(list.remove(a)).toBe(false);
    list.push(b);
    list.push(a);
    expect([...list]).toEqual(['b', 'a']);
  });
});
