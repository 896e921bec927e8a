#!/usr/bin/env node
// Runs the multi-process and fault tests (fault-tests.mjs) N times in a row, default 20:
//   npm run test:faults -- 20
// Prints one line per run and stops at the first failing run, printing that run's whole output.
// A test that passes only now and then is a failing test: this is how one is found.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FAULT_TEST_FILES } from './fault-tests.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const arg = process.argv[2] ?? '20';
const runs = Number(arg);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`repeat-fault-tests: the number of runs must be a positive integer, got "${arg}"`);
  process.exit(2);
}

/** One run of every fault test file: its exit code and its output (stdout and stderr interleaved). */
function runOnce() {
  return new Promise((resolve) => {
    // --project nats: every fault test file is the NATS library's; its own config (no retry) applies.
    const child = spawn(process.execPath, [vitest, 'run', '--project', 'nats', '--reporter', 'default', ...FAULT_TEST_FILES], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, output }));
  });
}

console.log(`repeat-fault-tests: ${runs} run(s) of ${FAULT_TEST_FILES.length} files on Node ${process.version}`);
const started = Date.now();
for (let run = 1; run <= runs; run++) {
  const t0 = Date.now();
  const { code, signal, output } = await runOnce();
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  const summary = /Tests\s+(.+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1]?.trim() ?? 'no summary';
  if (code !== 0) {
    console.log(`run ${run}/${runs}: FAILED after ${seconds} s (${signal ?? `exit ${code}`}; ${summary}). Its output:\n`);
    console.log(output);
    console.log(`repeat-fault-tests: run ${run} of ${runs} failed (${run - 1} passed before it)`);
    process.exit(1);
  }
  console.log(`run ${run}/${runs}: passed in ${seconds} s (${summary})`);
}
console.log(`repeat-fault-tests: ${runs} of ${runs} runs passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
