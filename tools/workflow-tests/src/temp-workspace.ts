import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, runNode } from './run.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

/** A copy of the working tree in a temporary folder, with the checkout's dependencies linked in. */
export interface TempWorkspace {
  readonly root: string;
  /** Runs the workspace's Nx with the given arguments; returns stdout. */
  nx(args: readonly string[]): string;
  /** Runs any command in the copy; returns stdout. */
  run(command: string, args: readonly string[]): string;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * Copies every file git would see (tracked, plus untracked but not ignored: so work not yet
 * committed is tested too) into a temporary folder. `git clone` would see committed files only.
 * With `git: true` the copy becomes a fresh repository with one commit of everything.
 */
export function copyWorkspace(options: { git?: boolean } = {}): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'agentopera-ws-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '');
  for (const file of files) {
    // A file git tracks but the working tree has deleted is simply not copied.
    if (!existsSync(join(WORKSPACE_ROOT, file))) continue;
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(WORKSPACE_ROOT, file), target);
  }
  linkNodeModules(root);
  if (options.git === true) {
    const git = (...args: string[]): string => run('git', args, root);
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=workflow-tests', '-c', 'user.email=workflow-tests@example.invalid', 'commit', '-q', '-m', 'copy of the workspace');
  }
  return {
    root,
    nx: (args) => runNode(join(root, 'node_modules/nx/dist/bin/nx.js'), args, root),
    run: (command, args) => run(command, args, root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Links the checkout's installed packages into the copy, except our own workspace packages: those
 * point at the copy's folders, so builds and imports there see the copy, not the checkout.
 */
function linkNodeModules(root: string): void {
  const source = join(WORKSPACE_ROOT, 'node_modules');
  const target = join(root, 'node_modules');
  mkdirSync(join(target, '@agentopera'), { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry !== '@agentopera') symlinkSync(join(source, entry), join(target, entry));
  }
  for (const folder of ['libs', 'apps', 'tools']) {
    let projects: string[] = [];
    try {
      projects = readdirSync(join(root, folder));
    } catch {
      continue;
    }
    for (const project of projects) {
      const packageName = readPackageName(join(root, folder, project));
      if (packageName?.startsWith('@agentopera/')) {
        symlinkSync(join(root, folder, project), join(target, packageName));
      }
    }
  }
}

function readPackageName(folder: string): string | undefined {
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
  return typeof parsed.name === 'string' ? parsed.name : undefined;
}
