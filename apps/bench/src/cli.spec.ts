import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputFiles, parseArgs } from './cli.js';

describe('bench command line', () => {
  it('--out with a .json extension writes X.json and X.svg, not X.json.json', () => {
    const options = parseArgs(['--quick', '--out', 'tmp/run/X.json'], '/usr/bin/node');
    expect(outputFiles(options.out!)).toEqual({ json: resolve('tmp/run/X.json'), svg: resolve('tmp/run/X.svg') });
  });

  it('--out without an extension, or with .svg, names the same pair of files', () => {
    const expected = { json: resolve('bench/results.json'), svg: resolve('bench/results.svg') };
    expect(outputFiles('bench/results')).toEqual(expected);
    expect(outputFiles('bench/results.svg')).toEqual(expected);
  });

  it('keeps other dots in the name', () => {
    expect(outputFiles('tmp/results.v2').json).toBe(resolve('tmp/results.v2.json'));
  });

  it('reads every option', () => {
    const options = parseArgs(['--node', 'bin/node', '--only', 'rpc,lazy'], '/usr/bin/node');
    expect(options).toEqual({ quick: false, node: resolve('bin/node'), only: new Set(['rpc', 'lazy']), out: undefined });
  });

  it('refuses an unknown option and an option without its value', () => {
    expect(() => parseArgs(['--fast'], 'node')).toThrow(/Unknown option --fast/);
    expect(() => parseArgs(['--out'], 'node')).toThrow(/--out needs a value/);
    expect(() => parseArgs(['--out', '--quick'], 'node')).toThrow(/--out needs a value/);
  });
});
