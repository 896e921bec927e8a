#!/usr/bin/env node
// Builds one library to <projectRoot>/dist: compiled ESM + declarations, plus a package.json
// whose exports point into dist, so `npm pack` of dist gives a package usable on its own. The
// declarations keep no notes on private members, the source maps carry their sources, and the
// repository's LICENSE and the library's README go along.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripPrivateMemberCommentsIn } from './strip-private-docs.mjs';

const projectRoot = process.argv[2];
if (!projectRoot || !existsSync(join(projectRoot, 'package.json'))) {
  console.error(`build-lib: expected a project folder with a package.json, got ${JSON.stringify(projectRoot)}`);
  process.exit(2);
}
const root = resolve(projectRoot);
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });
stripPrivateMemberCommentsIn(dist);

const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const published = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  type: 'module',
  main: './index.js',
  types: './index.d.ts',
  exports: publishedExports(source.exports),
  sideEffects: source.sideEffects ?? false,
  engines: source.engines,
  dependencies: source.dependencies,
  peerDependencies: source.peerDependencies,
  peerDependenciesMeta: source.peerDependenciesMeta,
};
/** The workspace exports minus the source condition, with `./dist/x` rewritten to `./x`. */
function publishedExports(exports) {
  const rewrite = (target) => target.replace(/^\.\/dist\//, './');
  const result = {};
  for (const [subpath, target] of Object.entries(exports ?? { '.': { default: './dist/index.js' } })) {
    if (typeof target === 'string') {
      result[subpath] = rewrite(target);
      continue;
    }
    const conditions = {};
    for (const [condition, path] of Object.entries(target)) {
      if (condition !== '@agentopera/source') conditions[condition] = rewrite(path);
    }
    result[subpath] = conditions;
  }
  return result;
}

for (const key of Object.keys(published)) if (published[key] === undefined) delete published[key];
writeFileSync(join(dist, 'package.json'), JSON.stringify(published, null, 2) + '\n');
if (existsSync(join(root, 'README.md'))) copyFileSync(join(root, 'README.md'), join(dist, 'README.md'));
const license = join(dirname(fileURLToPath(import.meta.url)), '../../LICENSE');
copyFileSync(existsSync(join(root, 'LICENSE')) ? join(root, 'LICENSE') : license, join(dist, 'LICENSE'));
console.log(`built ${source.name}@${source.version} -> ${dist}`);
