import { readdirSync } from 'node:fs';
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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
  expect(stdout).toMatch(/^Agents: 6 activated \(.*worker 3.*\); deactivated: 6 at close\n/m);
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

  it('with --state-dir, keeps each agent\'s state in its own file, and a second run resumes from it', async () => {
    const state = tempFolder();
    try {
      const argv = ['--input', input.dir, '--shard-size', '2', '--state-dir', state.dir];
      const first = await runDemo(argv);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(EXIT_OK);
      expectSmallInputReport(first.stdout);
      expect(first.stdout).not.toContain('All ');
      expect(first.stdout).toContain(`State in ${state.dir}: loaded for 0 agents, saved for 6\n`);
      expect(first.stdout).toContain("workers' own counters (in their state): 5 files analysed over their lifetimes, 5 in this run");
      // One file per agent: coordinator, aggregator, progress monitor and three workers.
      expect(readdirSync(state.dir).filter((name) => name.endsWith('.json'))).toHaveLength(6);

      const second = await runDemo(argv);
      expect(second.stderr).toBe('');
      expect(second.code).toBe(EXIT_OK);
      expect(second.stdout).toContain('This run: 5 files, 9 lines, 23 words');
      expect(second.stdout).toContain(`State in ${state.dir}: loaded for 6 agents, saved for 6\n`);
      // The aggregator's totals and each worker's counter came back from the files.
      expect(second.stdout).toContain('All 2 runs: 10 files, 18 lines, 46 words');
      expect(second.stdout).toMatch(/^ {2}md +4 files, 8 lines, 22 words {2}top: agents 8,/m);
      expect(second.stdout).toContain("workers' own counters (in their state): 10 files analysed over their lifetimes, 5 in this run");
    } finally {
      state.remove();
    }
  });

  it('with --max-agents, deactivates agents over the cap, brings their state back, and still reports every shard', async () => {
    const state = tempFolder();
    try {
      const argv = ['--input', input.dir, '--shard-size', '1', '--max-agents', '1', '--state-dir', state.dir];
      const first = await runDemo(argv);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(EXIT_OK);
      expect(first.stdout).toContain('6 files (1 skipped) in 6 shards');
      expect(first.stdout).toContain('This run: 5 files, 9 lines, 23 words');
      const agents = /^Agents: (\d+) activated \(.*worker (\d+).*\); deactivated: (\d+) over the cap(?:, (\d+) at close)? \(--max-agents 1\)\n/m.exec(
        first.stdout,
      );
      expect(agents).not.toBeNull();
      const [activated, workers, overCap, atClose = 0] = agents!.slice(1).map((count) => Number(count ?? 0));
      // Nine distinct agents (three plus six workers); with one allowed, the engine made room.
      expect(workers).toBeGreaterThanOrEqual(6);
      expect(activated).toBeGreaterThanOrEqual(9);
      expect(overCap).toBeGreaterThan(0);
      // Every instance built was deactivated by the time close() returned: none is left running.
      expect(overCap + atClose).toBe(activated);
      // Loaded only for agents activated again after a deactivation (which ones depends on timing).
      expect(first.stdout).toMatch(new RegExp(`^State in ${escapeRegExp(state.dir)}: loaded for \\d+ agents, saved for 9\n`, 'm'));

      const second = await runDemo(argv);
      expect(second.code).toBe(EXIT_OK);
      expect(second.stdout).toContain(`State in ${state.dir}: loaded for 9 agents, saved for 9\n`);
      expect(second.stdout).toContain('All 2 runs: 10 files, 18 lines, 46 words');
      expect(second.stdout).toContain("workers' own counters (in their state): 10 files analysed over their lifetimes, 5 in this run");
    } finally {
      state.remove();
    }
  });

  it('with --max-agents alone, keeps state in memory for the run', async () => {
    const { code, stdout, stderr } = await runDemo(['--input', input.dir, '--shard-size', '2', '--max-agents', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('This run: 5 files, 9 lines, 23 words');
    expect(stdout).toMatch(/^State in memory, for this run: loaded for \d+ agents, saved for \d+\n/m);
  });

  it('rejects a --state-dir that is a file with exit code 2 and one line, before anything runs', async () => {
    const folder = tempFolder({ 'not-a-folder': 'text' });
    try {
      const file = join(folder.dir, 'not-a-folder');
      const { code, stdout, stderr } = await runDemo(['--input', input.dir, '--state-dir', file]);
      expect(code).toBe(EXIT_USAGE);
      expect(stdout).toBe('');
      expect(stderr).toBe(`demo: --state-dir: FileStateStore cannot use ${file}: it (or a parent) is a file, not a directory (see --help)\n`);
    } finally {
      folder.remove();
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

  it('stops with exit code 124 when --timeout expires, saving what the agents did', async () => {
    // Only setTimeout is faked, so the timeout fires exactly when the test says and all I/O stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const state = tempFolder();
    try {
      const outcome = runDemo(['--input', input.dir, '--timeout', '5000', '--state-dir', state.dir]);
      vi.advanceTimersByTime(5000);
      const { code, stdout, stderr } = await outcome;
      expect(code).toBe(EXIT_TIMEOUT);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^timed out after 5000 ms .*; agent state saved in ${escapeRegExp(state.dir)}\n$`));
    } finally {
      state.remove();
    }
  });

  it('exits with code 2 and one line for a missing input folder', async () => {
    const missing = join(input.dir, 'no-such-folder');
    const { code, stdout, stderr } = await runDemo(['--input', missing]);
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toBe(`demo: input folder not found: ${missing} (see --help)\n`);
  });

  it('exits with code 2 and one line for a bad flag or value', async () => {
    for (const argv of [['--nope'], ['--queue', 'nope'], ['--timeout', '-1'], ['--max-agents', '0'], ['--max-agents', 'x'], ['--state', 'x.json']]) {
      const { code, stderr } = await runDemo(argv);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^demo: .*\(see --help\)\n$/);
    }
  });

  it('documents every flag in --help', async () => {
    const { code, stdout } = await runDemo(['--help']);
    expect(code).toBe(EXIT_OK);
    for (const flag of ['--input', '--queue', '--tracer', '--timeout', '--state-dir', '--max-agents', '--shard-size', '--top', '--help']) {
      expect(stdout).toContain(flag);
    }
    for (const choice of ['fifo', 'priority', 'bounded:N', 'none', 'console', 'otlp', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
      expect(stdout).toContain(choice);
    }
  });
});
