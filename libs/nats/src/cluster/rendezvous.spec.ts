import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rendezvousOwner } from './rendezvous.js';

describe('rendezvousOwner', () => {
  const slots = Array.from({ length: 64 }, (_, p) => `rworker.${p}`);

  it('spreads slots over every member', () => {
    const members = ['p1', 'p2', 'p3'];
    const counts = new Map<string, number>();
    for (const slot of slots) counts.set(rendezvousOwner(slot, members)!, (counts.get(rendezvousOwner(slot, members)!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(members);
    for (const count of counts.values()) expect(count).toBeGreaterThan(10);
  });

  it('moves only the slots of a member that joins or leaves, and ignores member order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 2, maxLength: 6 }), (members) => {
        const [leaving, ...rest] = members;
        for (const slot of slots) {
          const before = rendezvousOwner(slot, members);
          expect(rendezvousOwner(slot, [...members].reverse())).toBe(before);
          const after = rendezvousOwner(slot, rest);
          if (before !== leaving) expect(after).toBe(before);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('has no owner without members', () => {
    expect(rendezvousOwner('x', [])).toBeUndefined();
  });
});
