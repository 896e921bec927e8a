import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

// A file replaced this way is, after a crash at any instant, either the old file or the new one,
// complete: the new bytes reach the disk (fsync) before the rename publishes them, and the rename
// itself reaches the disk (fsync of the directory) before the caller is told it is done.

const TEMPORARY_SUFFIX = '.tmp';
const TEMPORARY_NAME = /\.(\d+)\.[0-9a-f]+\.tmp$/;

/** Flushes the directory's entries (a rename or unlink) to disk. */
export async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
  } catch (error) {
    // Windows cannot open a directory; it orders renames on its own.
    if (process.platform === 'win32') return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `directory/name` with `text`, durably and atomically. */
export async function replaceFileDurably(directory: string, name: string, text: string): Promise<void> {
  // The pid in the name lets a later store sweep files its crashed writer left behind.
  const temporary = join(directory, `${name}.${process.pid}.${randomBytes(8).toString('hex')}${TEMPORARY_SUFFIX}`);
  const handle = await open(temporary, 'wx');
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(directory, name));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

/** Removes `directory/name` durably; `false` when it did not exist. */
export async function removeFileDurably(directory: string, name: string): Promise<boolean> {
  try {
    await unlink(join(directory, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await syncDirectory(directory);
  return true;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes temporary files whose writing process has ended (it was killed mid-write). */
export async function sweepTemporaryFiles(directory: string): Promise<number> {
  let swept = 0;
  for (const name of await readdir(directory)) {
    const pid = TEMPORARY_NAME.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isRunning(Number(pid))) continue;
    await unlink(join(directory, name)).then(
      () => swept++,
      () => undefined,
    );
  }
  return swept;
}
