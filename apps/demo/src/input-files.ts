import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from './usage-error.js';

/** Folders that hold dependencies, build output or caches rather than the project's own text. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['node_modules', 'dist', '.git', '.nx', 'tmp']);

/** What the default input (the repository itself) analyses. */
export const DEFAULT_EXTENSIONS: ReadonlySet<string> = new Set(['.md', '.ts']);

/** The nearest folder at or above `start` that holds `nx.json`: the repository root. */
export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new UsageError(`no repository root (a folder with nx.json) above ${start}; pass --input DIR`);
  }
}

/** Fails with a `UsageError` naming `dir` unless it is an existing folder. */
export async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) throw new UsageError(`input folder not found: ${dir}`);
  if (!info.isDirectory()) throw new UsageError(`input is not a folder: ${dir}`);
}

/**
 * Every regular file under `root` (skipping `SKIPPED_DIRECTORIES`), sorted so shards are the same
 * from run to run; only the given extensions when `extensions` is set.
 */
export async function listInputFiles(root: string, extensions?: ReadonlySet<string>): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(path);
      } else if (entry.isFile() && (extensions === undefined || hasExtension(entry.name, extensions))) {
        files.push(path);
      }
    }
  };
  await walk(root);
  return files.sort();
}

function hasExtension(name: string, extensions: ReadonlySet<string>): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && extensions.has(name.slice(dot).toLowerCase());
}
