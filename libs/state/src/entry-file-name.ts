import { createHash } from 'node:crypto';
import type { AgentId } from '@agentopera/types';

// A file name must be unique per id, safe on every file system (no separators, no "." or "..",
// no case-only differences, well under the 255-byte limit) and still tell an operator whose file
// it is. So: a short lower-case hint for people, then a SHA-256 of the exact id for uniqueness.
// The hash is taken over UTF-16 code units, so even keys with lone surrogates, which any UTF-8
// encoding would merge into U+FFFD, hash apart. The full id is also written inside the file and
// checked on every read.

const HINT_LENGTH = 48;

/** Suffix of entry files; temporary files use another, so a reader never mistakes one for the other. */
export const ENTRY_SUFFIX = '.json';

/** The file name holding the entry of `id`, at most 118 ASCII bytes. */
export function entryFileName(id: AgentId): string {
  const hint = `${id.type}_${id.key}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, HINT_LENGTH);
  const hash = createHash('sha256').update(`${id.type}/${id.key}`, 'utf16le').digest('hex');
  return `${hint}-${hash}${ENTRY_SUFFIX}`;
}
