import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_TIMEOUT, EXIT_USAGE, main } from './cli.js';
import { captureSink, SMALL_INPUT, tempFolder } from './test-utils/fixture.js';

let input: { dir: string; remove: () => void };
beforeAll(() => {
  input = tempFolder(SMALL_INPUT);
});
afterAll(() => input.remove());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

async function runDemo(argv: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = captureSink();
  const stderr = captureSink();
  const code = await main(argv, { stdout, stderr, signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The report of the fixture (see SMALL_INPUT), whatever the queue or tracer. */
function expectSmallInputReport(stdout: string): void {
  expect(stdout).toContain(`Document analysis of ${input.dir}`);
  expect(stdout).toContain('6 files (1 skipped) in 3 shards');
  expect(stdout).toContain('This run: 5 files, 9 lines, 23 words');
  expect(stdout).toMatch(/^ {2}md +2 files, 4 lines, 11 words {2}top: agents 4, engine 1, everywhere 1, messages 1, routes 1\n/m);
  expect(stdout).toMatch(/^ {2}txt +2 files, 3 lines, 5 words {2}top: zebra 4, yak 1\n/m);
  expect(stdout).toMatch(/^ {2}ts +1 files, 2 lines, 7 words {2}top: queue 4, push 1\n/m);
  expect(stdout).not.toContain('ignored');
  // 2 RPCs (request, report); 1 run announcement + 3 shard assignments + 3 shard results.
  expect(stdout).toContain('Messages: 2 sent (RPC), 7 published, 9 processed');
  expect(stdout).toMatch(/Agents created: 6 \(.*worker 3.*\)/);
  expect(stdout).toMatch(/Elapsed: \d+ ms/);
}

describe('demo end to end', () => {
  it.each(['fifo', 'priority', 'bounded:2'])('analyses a small folder with --queue %s', async (queue) => {
    const { code, stdout, stderr } = await runDemo(['--input', input.dir, '--shard-size', '2', '--queue', queue]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    expectSmallInputReport(stdout);
    expect(stdout).toContain(`queue ${queue}, tracer none`);
  });

  it('prints the engine spans with --tracer console', async () => {
    const printed: unknown[] = [];
    vi.spyOn(console, 'dir').mockImplementation((item: unknown) => void printed.push(item));
    const { code, stdout } = await runDemo(['--input', input.dir, '--shard-size', '2', '--tracer', 'console']);
    expect(code).toBe(EXIT_OK);
    expectSmallInputReport(stdout);
    const names = printed.map((span) => (span as { name?: unknown }).name);
    expect(names).toContain('process coordinator/default');
    expect(names).toEqual(expect.arrayContaining(['process worker/shard-0', 'process worker/shard-2']));
  });

  it('finishes with its report and a warning when the --tracer otlp collector is unreachable', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:9');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TIMEOUT', '200');
    const { code, stdout, stderr } = await runDemo(['--input', input.dir, '--shard-size', '2', '--tracer', 'otlp']);
    expect(code).toBe(EXIT_OK);
    expectSmallInputReport(stdout);
    expect(stderr).toMatch(/^warning: otlp tracer: could not export spans: .+\n$/);
  });

  it('with --state, saves at the end and resumes on the next run with cumulative totals', async () => {
    const stateDir = tempFolder();
    const stateFile = join(stateDir.dir, 'state.json');
    try {
      const first = await runDemo(['--input', input.dir, '--shard-size', '2', '--state', stateFile]);
      expect(first.code).toBe(EXIT_OK);
      expect(first.stderr).toBe(`saved state to ${stateFile} (6 agents)\n`);
      expect(first.stdout).not.toContain('All ');
      expect(Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')))).toContain('aggregator/pipeline');

      const second = await runDemo(['--input', input.dir, '--shard-size', '2', '--state', stateFile]);
      expect(second.code).toBe(EXIT_OK);
      expect(second.stderr).toContain(`resumed from ${stateFile} (6 agents)\n`);
      expect(second.stdout).toContain('This run: 5 files, 9 lines, 23 words');
      expect(second.stdout).toContain('All 2 runs: 10 files, 18 lines, 46 words');
      expect(second.stdout).toMatch(/^ {2}md +4 files, 8 lines, 22 words {2}top: agents 8,/m);
    } finally {
      stateDir.remove();
    }
  });

  it('rejects a state file that is not saved engine state with exit code 2 and one line', async () => {
    const bad = tempFolder({ 'state.json': '[1, 2]' });
    try {
      const { code, stdout, stderr } = await runDemo(['--input', input.dir, '--state', join(bad.dir, 'state.json')]);
      expect(code).toBe(EXIT_USAGE);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^demo: state file .*state\.json does not hold saved engine state.*\n$/);
    } finally {
      bad.remove();
    }
  });

  it('stops with exit code 130 and a summary when the signal is already aborted (Ctrl-C)', async () => {
    const controller = new AbortController();
    controller.abort();
    const { code, stdout, stderr } = await runDemo(['--input', input.dir], controller.signal);
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cancelled by Ctrl-C \(\d+ ms\): 0\/0 shards and 0\/6 files analysed, 0 messages processed/);
  });

  it('stops with exit code 124 when --timeout expires, without saving state', async () => {
    // Only setTimeout is faked, so the timeout fires exactly when the test says and all I/O stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stateFile = join(input.dir, 'never-written.json');
    const outcome = runDemo(['--input', input.dir, '--timeout', '5000', '--state', stateFile]);
    vi.advanceTimersByTime(5000);
    const { code, stdout, stderr } = await outcome;
    expect(code).toBe(EXIT_TIMEOUT);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^timed out after 5000 ms .*; state not saved\n$/);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('exits with code 2 and one line for a missing input folder', async () => {
    const missing = join(input.dir, 'no-such-folder');
    const { code, stdout, stderr } = await runDemo(['--input', missing]);
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toBe(`demo: input folder not found: ${missing} (see --help)\n`);
  });

  it('exits with code 2 and one line for a bad flag or value', async () => {
    for (const argv of [['--nope'], ['--queue', 'nope'], ['--timeout', '-1']]) {
      const { code, stderr } = await runDemo(argv);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^demo: .*\(see --help\)\n$/);
    }
  });

  it('documents every flag in --help', async () => {
    const { code, stdout } = await runDemo(['--help']);
    expect(code).toBe(EXIT_OK);
    for (const flag of ['--input', '--queue', '--tracer', '--timeout', '--state', '--shard-size', '--top', '--help']) {
      expect(stdout).toContain(flag);
    }
    for (const choice of ['fifo', 'priority', 'bounded:N', 'none', 'console', 'otlp', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
      expect(stdout).toContain(choice);
    }
  });
});
