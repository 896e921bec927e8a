import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory for a `FileStateStore` in the OS temporary folder: on a disk, as a store meant
 * to outlive the process would be (its fsyncs are what is measured). Removed at exit.
 */
export function temporaryStateDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'agentopera-bench-'));
  process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
