import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, main } from './cli.js';
import { parseArgs } from './options.js';
import { captureSink } from './test-utils/fixture.js';

describe('--engine and --workers', () => {
  it('defaults to the embedded engine with 3 workers for nats', () => {
    expect(parseArgs([])).toMatchObject({ engine: 'local', workers: 3 });
    expect(parseArgs(['--engine', 'nats', '--workers=5'])).toMatchObject({ engine: 'nats', workers: 5 });
    expect(parseArgs(['--engine=local'])).toMatchObject({ engine: 'local' });
  });

  it.each([
    [['--engine', 'grpc'], '--engine must be local or nats, got "grpc"'],
    [['--engine', 'NATS'], '--engine must be local or nats, got "NATS"'],
    [['--engine'], '--engine needs a value'],
    [['--engine', 'nats', '--workers', '0'], '--workers must be a whole number from 1 to 64, got "0"'],
    [['--engine', 'nats', '--workers', '-2'], '--workers must be a whole number from 1 to 64, got "-2"'],
    [['--engine', 'nats', '--workers', '1.5'], '--workers must be a whole number from 1 to 64, got "1.5"'],
    [['--engine', 'nats', '--workers', 'three'], '--workers must be a whole number from 1 to 64, got "three"'],
    [['--engine', 'nats', '--workers', '65'], '--workers must be a whole number from 1 to 64, got "65"'],
  ])('%j is a usage error with exit code 2', async (argv, message) => {
    const stdout = captureSink();
    const stderr = captureSink();
    const code = await main(argv, { stdout, stderr });
    expect(code).toBe(EXIT_USAGE);
    expect(stderr.text()).toBe(`demo: ${message} (see --help)\n`);
    expect(stdout.text()).toBe('');
  });
});
