// The demo across processes: `--engine nats` end to end, with real worker processes on a real
// nats-server (NATS_URL's, or one this file starts with the demo's own helper).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleForChild } from '../../../tools/vitest/child-bundle.js';
import { EXIT_OK, EXIT_USAGE, main } from './cli.js';
import { openNatsServer, type DemoNatsServer } from './nats-server-process.js';
import { captureSink, SMALL_INPUT, tempFolder } from './test-utils/fixture.js';

const DEMO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let server: DemoNatsServer;
let input: { dir: string; remove: () => void };
let bundleDir: string;
let workerEntry: string;

beforeAll(async () => {
  input = tempFolder(SMALL_INPUT);
  server = await openNatsServer();
  // The worker processes run the worker entry bundled from source (tests need no build). The
  // bundle sits in the workspace (git-ignored tmp/) so that npm packages resolve from node_modules.
  bundleDir = join(DEMO_ROOT, 'tmp', 'children', randomBytes(6).toString('hex'));
  mkdirSync(bundleDir, { recursive: true });
  const external = (id: string): boolean =>
    !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !id.startsWith('@agentopera/') && !id.startsWith('@oxc-project/');
  workerEntry = await bundleForChild(join(DEMO_ROOT, 'src', 'nats-worker-main.ts'), bundleDir, { external });
}, 60_000);

afterEach(() => vi.unstubAllEnvs());

afterAll(async () => {
  input?.remove();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  await server?.close();
});

async function runDemo(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = captureSink();
  const stderr = captureSink();
  const code = await main(argv, { stdout, stderr, natsWorkerEntry: workerEntry });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Pids of this process's children whose command line contains `text` (from /proc: Linux). */
function childrenRunning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const ppid = Number(/^\d+ \(.*\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1]);
        return ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Pids of this process's children named `command` (from /proc: Linux). */
function childrenNamed(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …"
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match && match[1] === command && Number(match[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function streamNames(): Promise<string[]> {
  const nc = await connect({ servers: server.url });
  try {
    const names: string[] = [];
    for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
    return names;
  } finally {
    await nc.close();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('--engine nats', () => {
  it('analyses every document on 2 worker processes and reports what each process hosted and handled', async () => {
    vi.stubEnv('NATS_URL', server.url);
    const { code, stdout, stderr } = await runDemo(['--engine', 'nats', '--workers', '2', '--input', input.dir, '--shard-size', '1']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);

    // The same numbers as on the embedded engine (see cli.spec.ts), now from other processes.
    expect(stdout).toContain('6 files (1 skipped) in 6 shards, queue JetStream');
    expect(stdout).toContain('This run: 5 files, 9 lines, 23 words');
    expect(stdout).toMatch(/^ {2}md +2 files, 4 lines, 11 words {2}top: agents 4, engine 1, everywhere 1, messages 1, routes 1\n/m);
    expect(stdout).toMatch(/^ {2}txt +2 files, 3 lines, 5 words {2}top: zebra 4, yak 1\n/m);
    expect(stdout).toMatch(/^ {2}ts +1 files, 2 lines, 7 words {2}top: queue 4, push 1\n/m);
    // 2 RPCs; 1 run announcement + 6 assignments (from the demo) + 6 results (from the workers).
    expect(stdout).toContain('Messages: 2 sent (RPC), 13 published, 15 processed');
    expect(stdout).toContain('Agents: 9 activated (');
    expect(stdout).toContain(`Processes (cluster demo-`);

    const lines = [...stdout.matchAll(/^ {2}(demo|worker-\d+) +pid (\d+): hosted (.*); handled (\d+) messages?(?:, then exited \((.*)\))?$/gm)];
    expect(lines.map((line) => line[1])).toEqual(['demo', 'worker-1', 'worker-2']);
    const [demo, ...workers] = lines;
    expect(demo[3]).toMatch(/coordinator 1/);
    expect(demo[3]).toMatch(/aggregator 1/);
    expect(demo[3]).not.toMatch(/worker/);
    // The demo: the request, the report request, the announcement (2 agents) and 6 results (2 agents each).
    expect(Number(demo[4])).toBe(2 + 2 + 12);
    let workerAgents = 0;
    for (const worker of workers) {
      const hosted = worker[3] === 'none' ? 0 : Number(/^worker (\d+)$/.exec(worker[3])![1]);
      workerAgents += hosted;
      // A worker agent handles exactly its one assignment.
      expect(Number(worker[4])).toBe(hosted);
      expect(worker[5]).toBe('exit 0');
      expect(isRunning(Number(worker[2]))).toBe(false);
    }
    expect(workerAgents).toBe(6);
    const handled = lines.reduce((sum, line) => sum + Number(line[4]), 0);
    expect(stdout).toContain(`all 3 processes handled ${handled} messages`);
    expect(handled).toBe(16 + 6);

    // NATS_URL's server is shared: the run's cluster leaves no stream or bucket behind.
    const cluster = /Processes \(cluster (demo-\w+) on /.exec(stdout)![1];
    expect(await streamNames()).not.toEqual(expect.arrayContaining([expect.stringContaining(cluster)]));
  }, 30_000);

  it('starts its own nats-server when NATS_URL is unset, and stops it at the end', async (ctx) => {
    if (process.env['NATS_URL']) ctx.skip(true, 'NATS_URL is set: this test needs nats-server on the PATH');
    vi.stubEnv('NATS_URL', '');
    const before = childrenNamed('nats-server');
    const { code, stdout, stderr } = await runDemo(['--engine', 'nats', '--workers', '1', '--input', input.dir]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('This run: 5 files, 9 lines, 23 words');
    expect(stdout).toMatch(/Processes \(cluster demo-\w+ on nats:\/\/127\.0\.0\.1:\d+, a nats-server started by the demo\):/);
    expect(stdout).toMatch(/^ {2}worker-1 +pid \d+: hosted worker 1; handled 1 message, then exited \(exit 0\)$/m);
    expect(childrenNamed('nats-server')).toEqual(before);
  }, 30_000);

  it('finishes the run when a worker process is killed in the middle of it', async () => {
    vi.stubEnv('NATS_URL', server.url);
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, index) => [`f${index}.txt`, 'zebra yak\n']));
    const many = tempFolder(files);
    try {
      const stdout = captureSink();
      const stderr = captureSink(true); // a terminal: the progress line is redrawn every 200 ms
      const running = main(['--engine', 'nats', '--workers', '3', '--input', many.dir, '--shard-size', '1'], {
        stdout,
        stderr,
        natsWorkerEntry: workerEntry,
      });
      let victim: number | undefined;
      while (victim === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!/progress: [1-9]\d*\/400 shards/.test(stderr.text())) continue;
        victim = childrenRunning(workerEntry)[0];
      }
      process.kill(victim, 'SIGKILL');
      const code = await running;
      expect(code).toBe(EXIT_OK);
      expect(stdout.text()).toContain('This run: 400 files, 400 lines, 800 words');
      expect(stdout.text()).toMatch(new RegExp(`^ {2}worker-\\d +pid ${victim}: exited \\(SIGKILL\\) before sending its counts$`, 'm'));
      expect(stdout.text()).toMatch(/^ {2}all 4 processes handled at least \d+ messages/m);
      expect(stderr.text()).toMatch(/warning: worker-\d exited \(SIGKILL\) during the run/);
      expect(childrenRunning(workerEntry)).toEqual([]);
    } finally {
      many.remove();
    }
  }, 40_000);

  it('refuses --state-dir, --max-agents and --queue, which belong to the embedded engine', async () => {
    vi.stubEnv('NATS_URL', server.url);
    for (const flags of [['--state-dir', join(input.dir, 'state')], ['--max-agents', '5'], ['--queue', 'priority']]) {
      const { code, stderr } = await runDemo(['--engine', 'nats', '--input', input.dir, ...flags]);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr).toMatch(/^demo: (--state-dir and --max-agents|--queue) works? with --engine local only .*\(see --help\)\n$/);
    }
  });
});
