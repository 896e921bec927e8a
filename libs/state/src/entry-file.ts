import { readFile } from 'node:fs/promises';
import type { AgentId, AgentState } from '@agentopera/types';
import { CorruptStateError } from './errors.js';

// One entry per file: a header line naming the id and version, then the state as JSON. Keeping
// the header apart lets a compare-and-set read the version without parsing the state.

const FORMAT = 'agentopera-state/1';

interface EntryHeader {
  readonly format: typeof FORMAT;
  readonly type: string;
  readonly key: string;
  readonly version: string;
}

/** An entry as read from disk, its state still as text. */
export interface EntryFile {
  readonly version: string;
  readonly stateText: string;
}

/** The file text holding `stateText` (already JSON) as version `version` of `id`. */
export function formatEntry(id: AgentId, version: string, stateText: string): string {
  const header: EntryHeader = { format: FORMAT, type: id.type, key: id.key, version };
  return `${JSON.stringify(header)}\n${stateText}\n`;
}

/** Reads the entry of `id` at `path`; `undefined` when there is no file. */
export async function readEntry(id: AgentId, path: string): Promise<EntryFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const corrupt = (why: string): never => {
    throw new CorruptStateError(`The state file of ${id.type}/${id.key} at ${path} ${why}`);
  };
  const newline = text.indexOf('\n');
  if (newline < 0 || !text.endsWith('\n')) corrupt('is incomplete');
  let header: Partial<EntryHeader>;
  try {
    header = JSON.parse(text.slice(0, newline)) as Partial<EntryHeader>;
  } catch {
    return corrupt('has an unreadable header');
  }
  if (header.format !== FORMAT || typeof header.version !== 'string') corrupt(`is not in the ${FORMAT} format`);
  if (header.type !== id.type || header.key !== id.key) {
    corrupt(`belongs to another id, ${JSON.stringify(`${String(header.type)}/${String(header.key)}`)}`);
  }
  return { version: header.version as string, stateText: text.slice(newline + 1, -1) };
}

/** Parses the state text of an entry read by `readEntry`. */
export function parseEntryState(id: AgentId, path: string, entry: EntryFile): AgentState {
  try {
    return JSON.parse(entry.stateText) as AgentState;
  } catch (error) {
    throw new CorruptStateError(`The state file of ${id.type}/${id.key} at ${path} holds unreadable JSON`, { cause: error });
  }
}
