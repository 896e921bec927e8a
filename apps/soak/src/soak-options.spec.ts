import { describe, expect, it } from 'vitest';
import { parseSoakArgs } from './soak-options.js';

describe('parseSoakArgs', () => {
  it('is the message soak, as before, without --distinct-agents', () => {
    expect(parseSoakArgs([])).toEqual({ kind: 'messages', messages: 10_000_000, agents: 1_000, batch: 10_000 });
    expect(parseSoakArgs(['--messages', '1000000', '--agents', '100', '--batch', '5000'])).toEqual({
      kind: 'messages',
      messages: 1_000_000,
      agents: 100,
      batch: 5000,
    });
  });

  it('is the distinct-agents soak with --distinct-agents, --max-active defaulting to 10,000', () => {
    expect(parseSoakArgs(['--distinct-agents', '1000000', '--max-active', '10000'])).toEqual({
      kind: 'distinct-agents',
      distinctAgents: 1_000_000,
      maxActive: 10_000,
    });
    expect(parseSoakArgs(['--distinct-agents', '50'])).toMatchObject({ maxActive: 10_000 });
  });

  it.each([
    [['--distinct-agents', '0'], /--distinct-agents needs a positive integer, got "0"/],
    [['--max-active', 'x', '--distinct-agents', '5'], /--max-active needs a positive integer, got "x"/],
    [['--distinct-agents'], /--distinct-agents needs a positive integer, got undefined/],
    [['--max-active', '5'], /--max-active goes with --distinct-agents/],
    [['--distinct-agents', '5', '--messages', '5'], /--messages does not go with --distinct-agents/],
    [['--agent', '5'], /unknown option "--agent"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSoakArgs(argv)).toThrow(message);
  });
});
