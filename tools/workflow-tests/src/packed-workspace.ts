import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { quickStartExamples } from '../../../tools/vitest/doc-examples.js';
import { run } from './run.js';
import { copyWorkspace, type TempWorkspace } from './temp-workspace.js';

/** A copy of the workspace in which `npm run pack` has run. */
export interface PackedWorkspace {
  readonly ws: TempWorkspace;
  /** The folder `npm run pack` fills (`dist/packages` in the copy). */
  readonly packagesDir: string;
  /** Each packed package's name (`@agentopera/queue`) and its tarball's path. */
  readonly tarballs: ReadonlyMap<string, string>;
  /** Each packed package's name and the folder its tarball was extracted to (what npm installs). */
  readonly unpacked: ReadonlyMap<string, string>;
}

/** Copies the workspace and runs `npm run pack` in the copy, never touching the checkout's dist. */
export function packWorkspace(): PackedWorkspace {
  const ws = copyWorkspace();
  run('npm', ['run', 'pack', '--silent'], ws.root);
  const packagesDir = join(ws.root, 'dist/packages');
  const tarballs = new Map<string, string>();
  const unpacked = new Map<string, string>();
  for (const file of readdirSync(packagesDir).filter((name) => name.endsWith('.tgz'))) {
    const tarball = join(packagesDir, file);
    const into = join(ws.root, 'tmp/unpacked', file.replace(/\.tgz$/, ''));
    mkdirSync(into, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', into]);
    const folder = join(into, 'package');
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string };
    tarballs.set(manifest.name, tarball);
    unpacked.set(manifest.name, folder);
  }
  return { ws, packagesDir, tarballs, unpacked };
}

/** `name` and every package of ours it depends on, directly or not, as the packed manifests say. */
export function withDependencies(packed: PackedWorkspace, name: string): string[] {
  const closure = new Set<string>();
  const visit = (pkg: string): void => {
    if (closure.has(pkg)) return;
    const folder = packed.unpacked.get(pkg);
    if (folder === undefined) throw new Error(`${pkg} was not packed`);
    closure.add(pkg);
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) if (packed.unpacked.has(dependency)) visit(dependency);
  };
  visit(name);
  return [...closure].sort();
}

/** The files of a folder, recursively, as paths relative to it with forward slashes. */
export function filesIn(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** The names of the libraries meant for npm: every libs/<name>/package.json not marked private. */
export function publishableLibraries(root: string): string[] {
  const names: string[] = [];
  for (const folder of readdirSync(join(root, 'libs'))) {
    const manifestPath = join(root, 'libs', folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string; private?: boolean };
    if (manifest.private !== true) names.push(manifest.name);
  }
  return names.sort();
}

/**
 * The README's command that installs every package from a checkout, with the README's placeholder
 * for the checkout replaced by `checkout`: the one `npm install …/dist/packages/*.tgz` line.
 */
export function readmeInstallCommand(readme: string, checkout: string): string {
  const commands = [...readme.matchAll(/^npm install (\S+)\/dist\/packages\/\*\.tgz\b.*$/gm)];
  const [line, placeholder] = commands[0] ?? [];
  if (commands.length !== 1 || line === undefined || placeholder === undefined) {
    throw new Error(`expected the README to give one "npm install <checkout>/dist/packages/*.tgz" line, found ${commands.length}`);
  }
  return line.replace(placeholder, checkout);
}

/** The README's quick-start examples (the RPC and the publish example), as written. */
export function readmeExamples(): string[] {
  return quickStartExamples().map((example) => example.code);
}
