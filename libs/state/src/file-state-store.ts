import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AgentId, AgentState } from '@agentopera/types';
import { removeFileDurably, replaceFileDurably, sweepTemporaryFiles } from './durable-file.js';
import { entryFileName } from './entry-file-name.js';
import { formatEntry, parseEntryState, readEntry } from './entry-file.js';
import { StateConflictError, StateStoreClosedError, StateStoreLocationError } from './errors.js';
import { assertJsonSafeState } from './json-safe-state.js';
import { KeyedMutex } from './keyed-mutex.js';
import { Semaphore } from './semaphore.js';
import type { DeleteStateOptions, SetStateOptions, StateStore, StoredState } from './state-store.js';
import { checkAgentId, checkDeleteOptions, checkSetOptions, versionMatches } from './store-input.js';
import { nextVersion } from './version-clock.js';

// Shared by every FileStateStore of the process, keyed by file path, so two stores opened on the
// same directory still take turns on each entry.
const entryLocks = new KeyedMutex();
// Bounds the files open at once when many agents save together (a mass deactivation), far below
// common descriptor limits (256 on macOS). Taken inside an entry's lock, so waiting for an entry
// never holds a slot.
const diskSlots = new Semaphore(64);

/** Creates `directory` if needed and returns its real path; throws if it cannot hold a store. */
function prepareDirectory(directory: unknown): string {
  if (typeof directory !== 'string' || directory === '') {
    throw new TypeError(`FileStateStore needs a directory path, got ${JSON.stringify(directory) ?? String(directory)}`);
  }
  const absolute = resolve(directory);
  const unusable = (why: string, cause?: unknown): never => {
    throw new StateStoreLocationError(`FileStateStore cannot use ${absolute}: ${why}`, { cause });
  };
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') unusable('it (or a parent) is a file, not a directory', error);
    unusable((error as Error).message, error);
  }
  if (!statSync(absolute).isDirectory()) unusable('it is not a directory');
  try {
    accessSync(absolute, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    unusable('it is not readable and writable by this process', error);
  }
  return realpathSync(absolute);
}

/**
 * A `StateStore` keeping one file per agent in a directory, for state that must outlive the
 * process. `set` resolves once the new state is on disk: it writes a temporary file, fsyncs it,
 * renames it over the old one and fsyncs the directory, so a crash (even `kill -9` or a power cut
 * on a file system that honours fsync) leaves the old or the new state, never a torn one.
 *
 * Compare-and-set is atomic among the stores of one process. Give each process its own directory:
 * two processes writing one directory each keep their files whole, but a compare-and-set of one
 * does not see a write of the other that is in flight.
 */
export class FileStateStore implements StateStore {
  /** The real path of the directory holding the entries. */
  readonly directory: string;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #sweep: Promise<unknown>;
  #closed = false;

  /** Creates `directory` if it does not exist; throws `StateStoreLocationError` if it cannot be used. */
  constructor(directory: string) {
    this.directory = prepareDirectory(directory);
    // Temporary files of writers killed mid-write are garbage; removing them is never urgent.
    this.#sweep = sweepTemporaryFiles(this.directory).catch(() => 0);
  }

  get(id: AgentId): Promise<StoredState | undefined> {
    return this.#track(async () => {
      const path = this.#path(checkAgentId(id));
      const entry = await diskSlots.run(() => readEntry(id, path));
      return entry && { state: parseEntryState(id, path, entry), version: entry.version };
    });
  }

  set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string> {
    return this.#track(async () => {
      const name = entryFileName(checkAgentId(id));
      const expected = checkSetOptions(id, options);
      assertJsonSafeState(id, state);
      const stateText = JSON.stringify(state);
      const path = join(this.directory, name);
      return this.#exclusive(path, async () => {
        const actual = (await readEntry(id, path))?.version ?? null;
        if (!versionMatches(expected, actual)) throw new StateConflictError(id, expected ?? null, actual);
        const version = nextVersion(actual);
        await replaceFileDurably(this.directory, name, formatEntry(id, version, stateText));
        return version;
      });
    });
  }

  delete(id: AgentId, options?: DeleteStateOptions): Promise<boolean> {
    return this.#track(async () => {
      const name = entryFileName(checkAgentId(id));
      const expected = checkDeleteOptions(id, options);
      const path = join(this.directory, name);
      return this.#exclusive(path, async () => {
        const actual = (await readEntry(id, path))?.version ?? null;
        if (!versionMatches(expected, actual)) throw new StateConflictError(id, expected ?? null, actual);
        return actual !== null && (await removeFileDurably(this.directory, name));
      });
    });
  }

  /** Waits for the calls in flight (their writes complete); later calls reject with `StateStoreClosedError`. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([this.#sweep, ...this.#pending]);
  }

  /** Runs `work` alone on the entry at `path`, holding a disk slot. */
  #exclusive<R>(path: string, work: () => Promise<R>): Promise<R> {
    return entryLocks.run(path, () => diskSlots.run(work));
  }

  #path(id: AgentId): string {
    return join(this.directory, entryFileName(id));
  }

  #track<R>(operation: () => Promise<R>): Promise<R> {
    if (this.#closed) return Promise.reject(new StateStoreClosedError(`The FileStateStore of ${this.directory} is closed`));
    const running = operation();
    this.#pending.add(running);
    const forget = (): void => void this.#pending.delete(running);
    running.then(forget, forget);
    return running;
  }
}
