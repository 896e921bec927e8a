import { readFile, rename, writeFile } from 'node:fs/promises';
import type { EngineState } from '@agentopera/core';
import { UsageError } from './usage-error.js';

/** The engine state saved in `path`, or `undefined` when there is no such file yet. */
export async function readStateFile(path: string): Promise<EngineState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read state file ${path}: ${(error as Error).message}`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`state file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new UsageError(`state file ${path} does not hold saved engine state (a JSON object)`);
  }
  return state as EngineState;
}

/** Writes `state` to `path` through a temporary file, so an interrupted write keeps the old state. */
export async function writeStateFile(path: string, state: EngineState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state) + '\n');
  await rename(temporary, path);
}
