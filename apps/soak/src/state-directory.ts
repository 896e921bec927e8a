import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for a soak's state store, and how to remove it. */
export interface StateDirectory {
  readonly path: string;
  /** `/dev/shm` (memory) when the machine has it, else the OS temporary folder. */
  readonly parent: string;
  remove(): void;
}

/**
 * The state store's files must not count against the JS heap the soak measures, and writing a
 * million fsynced files to a disk takes hours: `/dev/shm` (a tmpfs, whose fsync costs nothing)
 * keeps them in memory outside the heap when it exists; otherwise the OS temporary folder.
 */
export function makeStateDirectory(prefix = 'agentopera-soak-'): StateDirectory {
  const parent = existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();
  const path = mkdtempSync(join(parent, prefix));
  return { path, parent, remove: () => rmSync(path, { recursive: true, force: true }) };
}
