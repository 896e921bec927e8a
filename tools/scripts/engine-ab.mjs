#!/usr/bin/env node
// `node --expose-gc tools/scripts/engine-ab.mjs <other-checkout> <scenario> [rounds] [--separate]`
// compares this checkout's engine with another checkout's (both built: `npm ci` and `npm run
// build` there). Scenarios, named after the benchmark's (`npm run bench`): rpc (1), serial (1b: rpc to
// a serial agent), rpc1000 (2), fanout (3), lazy (4), lazystore (4b: lazy with an InMemoryStateStore
// and maxActiveAgents 10,000, so that every activation past the cap also deactivates and saves one).
//
// By default both run the same workload in one process, in alternating batches, so that a host
// whose speed drifts between runs hits both alike. Loading one engine second costs it up to ~20 %
// in some scenarios (shared built-ins, two AsyncLocalStorages), so the comparison runs twice, once
// in each load order, and reports the geometric mean of this / other. Two engines in one process
// do not interfere symmetrically, though (measured on 2026-12-01: 0.83 in one process where
// separate processes measured 0.95), so `--separate` runs each engine alone in its own
// process instead, alternating, pinned to one core and with V8's optimizing compiler on the main
// thread (`--no-concurrent-recompilation`): a background compile on a shared core otherwise makes
// some runs 40 % slower than others at random. It reports the median over rounds of this / other.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CORE = 'libs/core/dist/index.js';
const SCENARIOS = ['rpc', 'serial', 'rpc1000', 'fanout', 'lazy', 'lazystore'];
const self = fileURLToPath(import.meta.url);
const here = resolve(self, '../../..');

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
} else if (process.argv[2] === '--solo') {
  await solo(process.argv[3], process.argv[4]);
} else {
  const separate = process.argv.includes('--separate');
  const [other, scenario, roundsArg = '11'] = process.argv.slice(2).filter((arg) => arg !== '--separate');
  if (other === undefined || !SCENARIOS.includes(scenario) || !/^[1-9]\d*$/.test(roundsArg)) {
    console.error(`usage: node --expose-gc tools/scripts/engine-ab.mjs <other-checkout> <${SCENARIOS.join('|')}> [rounds] [--separate]`);
    process.exit(2);
  }
  const mine = resolve(here, CORE);
  const theirs = resolve(other, CORE);
  for (const core of [mine, theirs]) {
    if (!existsSync(core)) {
      console.error(`engine-ab: ${core} does not exist; build that checkout first (npm ci && npm run build in it)`);
      process.exit(2);
    }
  }
  if (separate) {
    separately(mine, theirs, scenario, Number(roundsArg));
    process.exit(0);
  }
  const run = (first, second) => {
    const out = spawnSync(process.execPath, ['--expose-gc', self, '--child', first, second, scenario, roundsArg], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`engine-ab child failed:\n${out.stderr}`);
    return Number(out.stdout.trim());
  };
  process.stderr.write(`${scenario}: ${roundsArg} rounds in each load order...\n`);
  const mineSecond = run(theirs, mine); // second / first = mine / theirs, mine loaded second
  const theirsSecond = run(mine, theirs); // theirs / mine, theirs loaded second
  const ratio = Math.sqrt(mineSecond / theirsSecond);
  console.log(`${scenario}: this / other = ${ratio.toFixed(3)} (this loaded second: ${mineSecond.toFixed(3)}, other loaded second: ${(1 / theirsSecond).toFixed(3)})`);
}

/** Each engine alone in a fresh process per round, alternating; prints the median of the per-round ratios. */
function separately(mine, theirs, scenario, rounds) {
  const speeds = [[], []];
  // Pinned to one core (the second) where taskset and a second core exist.
  const pinned = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  process.stderr.write(`${scenario}: ${rounds} rounds, one process per engine per round${pinned ? ', pinned to one core' : ''}...\n`);
  for (let round = 0; round < rounds; round++) {
    for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const args = ['--expose-gc', '--no-concurrent-recompilation', self, '--solo', [mine, theirs][index], scenario];
      const out = pinned ? spawnSync('taskset', ['-c', '1', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`engine-ab solo run failed:\n${out.stderr}`);
      speeds[index].push(Number(out.stdout.trim()));
    }
  }
  // Per round, this / other from neighbouring runs; the median of those ignores rounds the host slowed.
  const ratio = median(speeds[0].map((speed, round) => speed / speeds[1][round]));
  const show = (values) => values.map((value) => value.toFixed(0)).join(' ');
  console.log(`${scenario}: this / other = ${ratio.toFixed(3)}, median of ${rounds} rounds (ops/ms this: ${show(speeds[0])}; other: ${show(speeds[1])})`);
}

/** One engine alone: batches for a second to warm up, then prints its operations per millisecond over two more. */
async function solo(corePath, scenario) {
  const run = await workload(await import(pathToFileURL(corePath).href), scenario);
  const batchesFor = async (ms) => {
    const start = performance.now();
    let ops = 0;
    while (performance.now() - start < ms) ops += await run();
    return ops / (performance.now() - start);
  };
  await batchesFor(1000);
  globalThis.gc?.();
  console.log(await batchesFor(2000));
}

/** Prints the median over `rounds` of (second engine's speed / first engine's speed). */
async function child(firstPath, secondPath, scenario, rounds) {
  const engines = [await workload(await import(pathToFileURL(firstPath).href), scenario), await workload(await import(pathToFileURL(secondPath).href), scenario)];
  const timed = async (run) => {
    const start = performance.now();
    const ops = await run();
    return ops / (performance.now() - start);
  };
  for (let warm = 0; warm < 3; warm++) for (const run of engines) await timed(run);
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const speed = [0, 0];
    // Alternate which goes first within a round, so a slowly changing host favours neither.
    for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
      globalThis.gc?.();
      speed[index] = await timed(engines[index]);
    }
    ratios.push(speed[1] / speed[0]);
  }
  console.log(median(ratios));
}

/** The middle value (the upper of the two middle ones for an even count). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The scenario's workload on one engine build: a function that runs a batch and returns its operation count. */
async function workload(M, scenario) {
  class Echo extends M.BaseAgent {
    constructor() {
      super('echo');
    }
    async onMessageImpl(message) {
      return message;
    }
  }
  if (scenario === 'rpc' || scenario === 'serial' || scenario === 'rpc1000') {
    const engine = new M.LocalAgentEngine();
    await Echo.register(engine, 'echo', () => new Echo(), { concurrency: scenario === 'serial' ? 'serial' : 'concurrent' });
    engine.start();
    const id = new M.AgentId('echo', 'default');
    if (scenario !== 'rpc1000') {
      return async () => {
        for (let i = 0; i < 20_000; i++) await engine.sendMessage(i, id);
        return 20_000;
      };
    }
    const caller = async () => {
      for (let i = 0; i < 20; i++) await engine.sendMessage(i, id);
    };
    return async () => {
      await Promise.all(Array.from({ length: 1000 }, caller));
      return 20_000;
    };
  }
  if (scenario === 'fanout') {
    let counted = 0;
    let wanted = Infinity;
    let wake = () => {};
    class Counting extends M.BaseAgent {
      constructor() {
        super('counting');
      }
      async onMessageImpl() {
        if (++counted >= wanted) wake();
      }
    }
    const engine = new M.LocalAgentEngine();
    for (let i = 0; i < 100; i++) {
      await engine.registerAgentBuilder(`sink${i}`, () => new Counting());
      await engine.subscribe(new M.TypeSubscription('fan', `sink${i}`));
    }
    engine.start();
    const channel = new M.MessageChannel('fan', 'default');
    return async () => {
      counted = 0;
      wanted = 200 * 100;
      const done = new Promise((resolve) => (wake = resolve));
      for (let i = 0; i < 200; i++) await engine.publishMessage(i, channel);
      await done;
      return 200 * 100;
    };
  }
  // lazy: 100,000 distinct agents per batch, on a fresh engine each time; lazystore: past 10,000
  // live agents each activation first deactivates (and saves) the least recently used one.
  let batch = 0;
  return async () => {
    const engine = new M.LocalAgentEngine(scenario === 'lazystore' ? { stateStore: new M.InMemoryStateStore(), maxActiveAgents: 10_000 } : {});
    await engine.registerAgentBuilder('lazy', () => new Echo());
    engine.start();
    const prefix = `b${batch++}-`;
    for (let base = 0; base < 100_000; base += 1000) {
      const calls = [];
      for (let i = base; i < base + 1000; i++) calls.push(engine.sendMessage(i, new M.AgentId('lazy', `${prefix}${i}`)));
      await Promise.all(calls);
    }
    await engine.stop();
    return 100_000;
  };
}
