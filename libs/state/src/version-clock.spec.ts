import { describe, expect, it } from 'vitest';
import { nextVersion } from './version-clock.js';

describe('nextVersion', () => {
  it('grows with every call, past the clock and past the previous version', () => {
    const versions = Array.from({ length: 1000 }, () => BigInt(nextVersion(null)));
    for (let i = 1; i < versions.length; i++) expect(versions[i]! > versions[i - 1]!).toBe(true);
    const before = BigInt(Date.now()) * 1000n; // read first: the clock may tick during the call
    expect(BigInt(nextVersion(null))).toBeGreaterThanOrEqual(before);
    const ahead = String(BigInt(Date.now()) * 1000n + 10n ** 12n);
    expect(nextVersion(ahead)).toBe(String(BigInt(ahead) + 1n));
  });

  it('ignores a previous version that is not one of its own', () => {
    expect(Number(nextVersion('etag-7'))).toBeGreaterThan(0);
  });
});
