import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ENCODED_TOKEN, decodeToken, encodeToken, isSafeToken } from './subject-codec.js';
import { fnv1a32, partitionOf } from './partition.js';

// Strings of every kind: ASCII with subject metacharacters, full unicode, lone surrogates.
const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom('.', '*', '>', ' ', '/', '\t', '\n', 'a', '-', '_', 'é', '😀', '\u0000') }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary', minLength: 300, maxLength: 1200 }),
);

describe('subject tokens', () => {
  it('are single subject-safe tokens for any string', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const token = encodeToken(value);
        expect(isSafeToken(token)).toBe(true);
        expect(token.length).toBeLessThanOrEqual(MAX_ENCODED_TOKEN + 44);
      }),
      { numRuns: 2000 },
    );
  });

  it('are injective: distinct strings never share a token', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        fc.pre(a !== b);
        expect(encodeToken(a)).not.toBe(encodeToken(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('decode back to the value unless hashed', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const token = encodeToken(value);
        if (token.startsWith('h')) expect(decodeToken(token)).toBeUndefined();
        else expect(decodeToken(token)).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('handle the cases a reader worries about', () => {
    const cases = ['', '.', '*', '>', 'a.b', 'a b', 'a/b', '..', '../../x', 'ключ', '😀', 'default', 'r', 'b', 'x'.repeat(1000)];
    const tokens = cases.map(encodeToken);
    expect(new Set(tokens).size).toBe(cases.length);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeToken('default')).toBe('rdefault');
    expect(encodeToken('')).toBe('b');
    expect(encodeToken('a.b')).not.toContain('.');
    // A lone surrogate is kept apart from the U+FFFD that UTF-8 would turn it into.
    expect(encodeToken('\ud800')).not.toBe(encodeToken('\ufffd'));
  });
});

describe('partitions', () => {
  it('fnv1a32 is the standard FNV-1a of the UTF-8 bytes', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        let hash = 0x811c9dc5;
        for (const byte of new TextEncoder().encode(value)) hash = Math.imul(hash ^ byte, 0x01000193);
        expect(fnv1a32(value)).toBe(hash >>> 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('place every agent in [0, P) and spread keys over all partitions', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 1600; i++) counts[partitionOf('worker', `key-${i}`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1024 }), (key, p) => {
        const partition = partitionOf('t', key, p);
        expect(Number.isInteger(partition) && partition >= 0 && partition < p).toBe(true);
      }),
    );
  });
});
