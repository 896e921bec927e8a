#!/usr/bin/env node
// `npm run pack [-- --out <folder>]`: builds every publishable library (each libs/*/package.json
// that is not private), in dependency order, and packs each built dist into one folder
// (default dist/packages), so that `npm install <checkout>/dist/packages/*.tgz` installs them
// all from a checkout before they are on the registry. Installing one tarball alone cannot work:
// its @agentopera dependencies are only found when their tarballs are installed with it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every publishable library, as { name, folder, dependsOn (names of other libraries) }. */
export function discoverLibraries(root = workspaceRoot) {
  const libsFolder = join(root, 'libs');
  const libraries = [];
  for (const entry of readdirSync(libsFolder, { withFileTypes: true })) {
    const manifestPath = join(libsFolder, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    const uses = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    libraries.push({ name: manifest.name, folder: join(libsFolder, entry.name), uses: Object.keys(uses) });
  }
  const names = new Set(libraries.map((library) => library.name));
  return libraries
    .map(({ uses, ...library }) => ({ ...library, dependsOn: uses.filter((name) => names.has(name)) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Builds the libraries, each once all it depends on are built, `parallel` at a time. */
async function buildAll(libraries, parallel) {
  const buildLib = join(workspaceRoot, 'tools/scripts/build-lib.mjs');
  const built = new Set();
  const started = new Set();
  return new Promise((resolveAll, rejectAll) => {
    let running = 0;
    let failed = false;
    const next = () => {
      if (failed) return;
      if (built.size === libraries.length) return resolveAll();
      const ready = libraries.filter((library) => !started.has(library.name) && library.dependsOn.every((name) => built.has(name)));
      if (ready.length === 0 && running === 0) {
        failed = true;
        return rejectAll(new Error(`pack: dependency cycle among ${libraries.filter((l) => !built.has(l.name)).map((l) => l.name).join(', ')}`));
      }
      for (const library of ready.slice(0, parallel - running)) {
        started.add(library.name);
        running++;
        const child = spawn(process.execPath, [buildLib, library.folder], { cwd: workspaceRoot, stdio: 'inherit' });
        child.on('error', (error) => {
          failed = true;
          rejectAll(error);
        });
        child.on('exit', (code) => {
          running--;
          if (code !== 0) {
            failed = true;
            return rejectAll(new Error(`pack: building ${library.name} failed (exit ${code})`));
          }
          built.add(library.name);
          next();
        });
      }
    };
    next();
  });
}

function parseOut(argv) {
  const index = argv.indexOf('--out');
  if (index === -1) return join(workspaceRoot, 'dist/packages');
  const value = argv[index + 1];
  if (value === undefined) throw new Error('pack: --out needs a folder');
  return resolve(value);
}

async function main() {
  const out = parseOut(process.argv.slice(2));
  const libraries = discoverLibraries();
  await buildAll(libraries, Math.max(1, Math.min(availableParallelism(), 4)));
  // Old tarballs would be installed by the README's glob alongside the new ones.
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = JSON.parse(
    execFileSync(npm, ['pack', ...libraries.map((library) => join(library.folder, 'dist')), '--json', '--pack-destination', out], {
      cwd: out,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  for (const tarball of packed) console.log(`packed ${join(relative(process.cwd(), out) || '.', tarball.filename)}`);
  console.log(`\nInstall them all in your project with:\n  npm install ${join(out, '*.tgz')}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
