#!/usr/bin/env node
// `node tools/scripts/instructions-per-send.mjs [checkout]` counts the machine instructions one
// round trip of scenario 1 costs an engine build (this checkout's by default; build it first):
// the same script runs N and 3N round trips under valgrind's cachegrind with V8's `--predictable`
// (single-threaded, no concurrent JIT), and the difference is divided by 2N. Unlike time, the count
// does not depend on how busy the host is (two runs of one build agree within 0.3 %). It is no
// stopwatch, though: what V8 inlines differs from a normal run's, and a change anywhere near the
// loop moves it by a few per cent either way, so only larger differences order two builds; for
// time, `engine-ab.mjs --separate`.
// Needs valgrind on the PATH (Debian: `apt-get install valgrind`); each count takes about a minute.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const M = await import(pathToFileURL(process.argv[3]).href);
  const count = Number(process.argv[4]);
  class Echo extends M.BaseAgent {
    constructor() {
      super('echo');
    }
    async onMessageImpl(message) {
      return message;
    }
  }
  const engine = new M.LocalAgentEngine();
  await Echo.register(engine, 'echo', () => new Echo());
  engine.start();
  const id = new M.AgentId('echo', 'default');
  for (let i = 0; i < count; i++) await engine.sendMessage(i, id);
  await engine.stop();
} else {
  const checkout = resolve(process.argv[2] ?? resolve(self, '../../..'));
  const core = resolve(checkout, 'libs/core/dist/index.js');
  const N = 30_000;
  const instructions = (count) => {
    const run = spawnSync(
      'valgrind',
      ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, '--predictable', self, '--child', core, String(count)],
      { encoding: 'utf8' },
    );
    const match = /I\s+refs:\s+([\d,]+)/.exec(run.stderr ?? '');
    if (run.error !== undefined || match === null) throw new Error(`valgrind failed (is it installed?): ${run.error?.message ?? run.stderr}`);
    return Number(match[1].replaceAll(',', ''));
  };
  process.stderr.write(`counting ${N} and ${3 * N} round trips of ${core} under valgrind...\n`);
  const perSend = (instructions(3 * N) - instructions(N)) / (2 * N);
  console.log(`${Math.round(perSend)} instructions per round trip (${checkout})`);
}
