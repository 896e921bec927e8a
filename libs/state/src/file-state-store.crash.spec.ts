// Kills child processes writing through FileStateStore with SIGKILL at random moments and checks,
// after every kill, that each entry is whole: one of the states written, never torn, empty or
// older than a write the child saw acknowledged.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForChild } from '../../../tools/vitest/child-bundle.js';
import { FileStateStore } from './file-state-store.js';
import { crashState, crashTestIds } from './test-utils/crash-states.js';

// About 200 node start-ups (~0.1 s of CPU each) dominate the run: on a 2-core machine it took
// 44 s at a load average of 5 and up to 108 s at 12; the timeout allows for such a busy machine.
const WORKERS = 4;
const KILLS_PER_WORKER = 50;
const IDS = 2;
const libraryRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), 'file-state-store-crash-'));
const writer = join(scratch, 'crash-writer.mjs');
const seed = Date.now() >>> 0;

/** mulberry32: a small seeded generator, so a failure can name the seed that produced it. */
function random(seedValue: number): () => number {
  let state = seedValue;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  // Libraries resolve to TypeScript source only inside Vitest: bundle the child into one plain
  // ESM file so that `node` runs it directly (a spawn costs tens of milliseconds, not seconds).
  await bundleForChild(join(libraryRoot, 'src/test-utils/crash-writer.ts'), scratch);
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  /** Highest n acknowledged per id (-1: none yet). */
  readonly acked: number[];
  /** Highest n the child may have started writing. */
  attempted: number;
  /** Writes acknowledged. */
  acks: number;
  stderr: string;
}

/** Spawns a writer starting at `firstN`, kills it at a moment drawn from `next`, and resolves once it is gone. */
function runUntilKilled(directory: string, firstN: number, next: () => number): Promise<Run> {
  const run: Run = { acked: Array.from({ length: IDS }, () => -1), attempted: firstN, acks: 0, stderr: '' };
  const child = spawn(process.execPath, [writer, directory, String(IDS), String(firstN)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let killed = false;
  const kill = (): void => {
    if (!killed) child.kill('SIGKILL');
    killed = true;
  };
  // Most kills land in the write loop, after a random number of acknowledged writes plus a random
  // fraction of the next; one in eight lands during start-up (opening, sweeping, first reads).
  const duringStartUp = next() < 0.125;
  const acksBeforeKill = Math.floor(next() * 7);
  const killAfter = (): void => void setTimeout(kill, next() * 4);
  if (duringStartUp) setTimeout(kill, next() * 40);
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const ack = /^ack (\d+) (\d+)$/.exec(line);
      if (line === 'ready' && !duringStartUp && acksBeforeKill === 0) killAfter();
      if (!ack) continue;
      const n = Number(ack[2]);
      run.acked[Number(ack[1])] = n;
      run.attempted = Math.max(run.attempted, n + 1);
      if (++run.acks === acksBeforeKill && !duringStartUp) killAfter();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': every acknowledgement the child printed must be read first.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(run);
      else reject(new Error(`the writer exited by itself (code ${code}, signal ${signal}): ${run.stderr}`));
    });
  });
}

/** One worker: its own directory, writers killed one after another; returns the kills and writes made. */
async function worker(index: number): Promise<{ kills: number; writes: number }> {
  const next = random(seed + index);
  const directory = join(scratch, `worker-${index}`);
  const reader = new FileStateStore(directory);
  const ids = crashTestIds(IDS);
  const acked = ids.map(() => -1);
  let firstN = 0;
  let writes = 0;
  for (let kill = 1; kill <= KILLS_PER_WORKER; kill++) {
    const run = await runUntilKilled(directory, firstN, next);
    const context = `seed ${seed}, worker ${index}, kill ${kill}`;
    writes += run.acks;
    for (const [i, id] of ids.entries()) {
      acked[i] = Math.max(acked[i]!, run.acked[i]!);
      const stored = await reader.get(id);
      if (acked[i]! < 0 && stored === undefined) continue;
      expect(stored, `${context}: entry ${i} is missing after acknowledged writes`).toBeDefined();
      const n = (stored!.state as { n: number }).n;
      expect(stored!.state, `${context}: entry ${i} is not a state written`).toEqual(crashState(n));
      expect(n, `${context}: entry ${i} lost an acknowledged write`).toBeGreaterThanOrEqual(acked[i]!);
      expect(n, `${context}: entry ${i} holds a state never written`).toBeLessThanOrEqual(run.attempted);
      firstN = Math.max(firstN, n + 1);
    }
  }
  await reader.close();
  return { kills: KILLS_PER_WORKER, writes };
}

describe('FileStateStore under SIGKILL', () => {
  it(`keeps every entry whole across ${WORKERS * KILLS_PER_WORKER} kills of its writer`, async () => {
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
    expect(results.reduce((sum, result) => sum + result.kills, 0)).toBeGreaterThanOrEqual(200);
    // Kills landed in the middle of real work, not only before the first write.
    for (const result of results) expect(result.writes).toBeGreaterThan(KILLS_PER_WORKER);

    // A fresh store sweeps the temporary files the killed writers left; only the entries remain.
    for (let index = 0; index < WORKERS; index++) {
      const directory = join(scratch, `worker-${index}`);
      await new FileStateStore(directory).close();
      expect(readdirSync(directory).sort()).toHaveLength(IDS);
      for (const name of readdirSync(directory)) expect(name).toMatch(/^[a-z0-9_]+-[0-9a-f]{64}\.json$/);
    }
  }, 300_000);
});
