import { fnv1a32 } from '../partition.js';

/**
 * Rendezvous (highest random weight) hashing: the member with the highest weight for `slot`
 * owns it. When a member joins or leaves, only the slots it wins or held move, and every process
 * computes the same answer from the same member list without talking to the others.
 */
export function rendezvousOwner(slot: string, members: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    const weight = mix32(fnv1a32(`${member}\u0000${slot}`));
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

/** MurmurHash3's finalizer: FNV-1a alone spreads similar strings poorly. */
function mix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
