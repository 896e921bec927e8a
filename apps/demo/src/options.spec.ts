import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './cli.js';

describe('parseArgs', () => {
  it('gives the documented defaults for an empty command line', () => {
    const options = parseArgs([]);
    expect(options).toMatchObject({ help: false, queue: { kind: 'fifo' }, tracer: 'none', shardSize: 8, top: 5 });
    // No input folder (the repository), no time limit, no state folder, no cap on agents.
    expect([options.input, options.timeoutMs, options.stateDir, options.maxAgents]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('reads every flag, as "--flag value" or "--flag=value"', () => {
    expect(
      parseArgs([
        '--input', 'docs', '--queue=priority', '--tracer', 'console', '--timeout=250',
        '--state-dir', 'state', '--max-agents=4', '--shard-size', '3', '--top=7',
      ]),
    ).toEqual({
      help: false,
      input: 'docs',
      queue: { kind: 'priority' },
      tracer: 'console',
      timeoutMs: 250,
      stateDir: 'state',
      maxAgents: 4,
      shardSize: 3,
      top: 7,
      engine: 'local',
      workers: 3,
    });
  });

  it.each([
    ['fifo', { kind: 'fifo' }],
    ['priority', { kind: 'priority' }],
    ['bounded:2', { kind: 'bounded', size: 2 }],
    ['bounded:100', { kind: 'bounded', size: 100 }],
  ])('accepts --queue %s', (value, queue) => {
    expect(parseArgs(['--queue', value]).queue).toEqual(queue);
  });

  it.each(['none', 'console', 'otlp'])('accepts --tracer %s', (value) => {
    expect(parseArgs(['--tracer', value]).tracer).toBe(value);
  });

  it('recognises --help and -h, even next to a bad flag', () => {
    expect(parseArgs(['--help']).help).toBe(true);
    expect(parseArgs(['--queue', 'fifo', '-h']).help).toBe(true);
    expect(parseArgs(['--queue', 'nope', '--help']).help).toBe(true);
    expect(parseArgs(['--queue', 'fifo']).help).toBe(false);
  });

  it('lets a later flag override an earlier one', () => {
    expect(parseArgs(['--top', '2', '--top', '9']).top).toBe(9);
  });

  it.each([
    [['--queue', 'nope'], /--queue must be fifo, priority or bounded:N.*"nope"/],
    [['--queue', 'bounded:0'], /--queue .*"bounded:0"/],
    [['--queue', 'bounded:x'], /--queue .*"bounded:x"/],
    [['--tracer', 'jaeger'], /--tracer must be none, console or otlp, got "jaeger"/],
    [['--timeout', '-1'], /--timeout must be a whole number .*"-1"/],
    [['--timeout', '0'], /--timeout .*"0"/],
    [['--timeout', '1.5'], /--timeout .*"1.5"/],
    [['--timeout', '99999999999'], /--timeout .*"99999999999"/],
    [['--shard-size', 'many'], /--shard-size .*"many"/],
    [['--top', '0'], /--top .*"0"/],
    [['--max-agents', '0'], /--max-agents must be a whole number from 1 to \d+, got "0"/],
    [['--max-agents', 'x'], /--max-agents must be a whole number .*"x"/],
    [['--max-agents', '-3'], /--max-agents .*"-3"/],
    [['--max-agents', '2.5'], /--max-agents .*"2.5"/],
    [['--max-agents'], /--max-agents needs a value/],
    [['--state-dir='], /--state-dir needs a value/],
    [['--state', 'state.json'], /--state FILE was replaced by --state-dir DIR/],
    [['--bogus'], /unknown option --bogus/],
    [['--bogus=1'], /unknown option --bogus/],
    [['stray'], /unexpected argument "stray"/],
    [['--input'], /--input needs a value/],
    [['--state-dir', '--top', '3'], /--state-dir needs a value/],
    [['--input='], /--input needs a value/],
  ])('rejects %j with a UsageError naming the problem', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
