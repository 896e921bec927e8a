// `npm run bench [-- --quick] [--node <binary>] [--only rpc,lazy] [--out <path>]`:
// runs every scenario variant in fresh child processes, alternating variants between repetitions
// so drift cancels, then prints a table and writes <out>.json and <out>.svg (see cli.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outputFiles, parseArgs, type CliOptions } from './cli.js';
import { buildPlan, type ScenarioDef, type VariantDef } from './plan.js';
import { headlineRatios } from './ratios.js';
import { renderSvg } from './report/svg.js';
import { renderTable } from './report/table.js';
import type { BenchResults, ScenarioResult } from './results.js';
import { summarize } from './stats.js';
import { natsServerForBench } from './nats/server.js';

const variantScript = resolve(dirname(fileURLToPath(import.meta.url)), 'variant.js');

const ATTEMPTS = 3;

/** Runs one variant in a fresh child; a failed child (a peer's query timing out) is retried. */
function runVariant(node: string, scenario: ScenarioDef, variant: VariantDef, seconds: number, warmup: number): Record<string, number> {
  const args = ['--expose-gc', variantScript, scenario.id, variant.impl, String(variant.size), String(seconds), String(warmup)];
  for (let attempt = 1; ; attempt++) {
    const child = spawnSync(node, args, { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 300_000 });
    const line = child.stdout?.trim().split('\n').pop() ?? '';
    if (child.status === 0 && line.startsWith('{')) return (JSON.parse(line) as { metrics: Record<string, number> }).metrics;
    const failure = `${scenario.id}/${variant.label} failed (exit ${child.status}, attempt ${attempt}):\n${child.stderr}${child.stdout}`;
    if (attempt >= ATTEMPTS) throw new Error(failure);
    process.stderr.write(`${failure}\n  retrying\n`);
  }
}

function nodeVersion(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2), process.execPath);
  const wantsNats = options.only === undefined || [...options.only].some((id) => id.startsWith('nats'));
  const nats = wantsNats ? await natsServerForBench() : undefined;
  if (wantsNats && nats === undefined) process.stderr.write('  NATS scenarios skipped: no nats-server on the PATH and no NATS_URL\n');
  if (nats !== undefined) process.env['NATS_URL'] = nats.url;
  try {
    run(options, nats !== undefined);
  } finally {
    nats?.stop();
  }
}

function run(options: CliOptions, nats: boolean): void {
  const repetitions = options.quick ? 1 : 5;
  const seconds = options.quick ? 0.2 : 1;
  const warmup = options.quick ? 0.1 : 0.5;
  const version = nodeVersion(options.node);
  const plan = buildPlan({ quick: options.quick, nats, only: options.only }).filter((s) => options.only === undefined || options.only.has(s.id));
  const started = Date.now();
  const scenarios: ScenarioResult[] = [];
  for (const scenario of plan) {
    const samples = scenario.variants.map(() => new Map<string, number[]>());
    // A B C, A B C, ...: slow drift of the machine hits every variant alike.
    for (let rep = 0; rep < repetitions; rep++) {
      scenario.variants.forEach((variant, index) => {
        const metrics = runVariant(options.node, scenario, variant, seconds, warmup);
        for (const [key, value] of Object.entries(metrics)) {
          const list = samples[index].get(key) ?? [];
          list.push(value);
          samples[index].set(key, list);
        }
      });
    }
    scenarios.push({
      id: scenario.id,
      title: scenario.title,
      metrics: scenario.metrics,
      variants: scenario.variants.map((variant, index) => ({
        ...variant,
        metrics: Object.fromEntries([...samples[index]].map(([key, values]) => [key, summarize(values)])),
      })),
    });
    process.stderr.write(`  ${scenario.title}: done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    node: version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`,
    quick: options.quick,
    repetitions,
    seconds,
    scenarios,
    ratios: headlineRatios(scenarios),
  };
  console.log(renderTable(results));
  const major = version.replace(/^v/, '').split('.')[0];
  const defaultOut = options.node === process.execPath ? 'bench/results' : `bench/results-node${major}`;
  const files = outputFiles(options.out ?? (options.quick ? `tmp/bench/results-quick` : defaultOut));
  mkdirSync(dirname(files.json), { recursive: true });
  writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.svg, renderSvg(results));
  console.log(`\nWrote ${files.json} and ${files.svg} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

await main();
