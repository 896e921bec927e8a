import { describe, expect, it } from 'vitest';
import { addFile, analyseText, countLines, emptyTotals, fileTypeOf, isTotals, mergeTotals, tokenize, topTerms } from './analysis.js';

describe('analysis', () => {
  it('counts lines as an editor shows them', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('one')).toBe(1);
    expect(countLines('one\n')).toBe(1);
    expect(countLines('one\ntwo')).toBe(2);
    expect(countLines('\n\n')).toBe(2);
  });

  it('splits words on punctuation and underscores, keeping apostrophes inside words', () => {
    expect(tokenize("don't stop: snake_case, x2 — café")).toEqual(["don't", 'stop', 'snake', 'case', 'x2', 'café']);
  });

  it('counts terms case-insensitively, without stop words, short words or numbers', () => {
    const { words, terms } = analyseText('The Engine and the engine: 42 engines, an ok constructor.');
    expect(words).toBe(10);
    expect(terms).toEqual({ engine: 2, engines: 1 });
  });

  it('counts a term named like an Object.prototype member from zero', () => {
    expect(analyseText('hasOwnProperty valueOf valueOf').terms).toEqual({ hasownproperty: 1, valueof: 2 });
  });

  it('orders top terms by count, then alphabetically', () => {
    expect(topTerms({ beta: 2, alpha: 2, gamma: 5, delta: 1 }, 3)).toEqual([['gamma', 5], ['alpha', 2], ['beta', 2]]);
  });

  it('names file types by lowercase extension', () => {
    expect(fileTypeOf('/a/b/README.MD')).toBe('md');
    expect(fileTypeOf('/a/b.c/Makefile')).toBe('(none)');
    expect(fileTypeOf('/a/.gitignore')).toBe('(none)');
  });

  it('adds files and merges totals per file type', () => {
    const a = emptyTotals();
    addFile(a, 'md', analyseText('agents agents\n'));
    const b = emptyTotals();
    addFile(b, 'md', analyseText('agents\nqueues\n'));
    addFile(b, 'ts', analyseText('queues'));
    b.skipped = 1;
    const merged = mergeTotals(a, b);
    expect(merged).toMatchObject({ files: 3, lines: 4, words: 5, skipped: 1 });
    expect(merged.byType.md).toEqual({ files: 2, lines: 3, words: 4, terms: { agents: 3, queues: 1 } });
    expect(isTotals(JSON.parse(JSON.stringify(merged)))).toBe(true);
    expect(isTotals({ ...merged, words: '5' })).toBe(false);
  });
});
