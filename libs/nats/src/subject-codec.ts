import { createHash } from 'node:crypto';

/**
 * Agent types, agent keys and channel sources become single NATS subject tokens.
 *
 * A subject token may not contain `.` (the separator), `*` or `>` (wildcards), whitespace or
 * control characters, and the whole control line of a publish is bounded (4 KiB by default). Keys
 * and sources are arbitrary strings, so each is encoded; the first character says how:
 *
 * - `r…` raw: the value itself when it is non-empty and only `[A-Za-z0-9_-]` (readable subjects for
 *   the common case);
 * - `b…` base64url (no padding) of the UTF-8 bytes; `b` alone is the empty string;
 * - `u…` base64url of the UTF-16 code units, for strings with lone surrogates, which UTF-8 cannot
 *   carry without loss;
 * - `h…` base64url of the SHA-256 of the value, for values whose encoding would exceed
 *   `MAX_ENCODED_TOKEN`: no longer decodable, so the full value always travels in a header too.
 *
 * Encoded tokens use only `[A-Za-z0-9_-]`, which is also legal in KV keys. Distinct values give
 * distinct tokens (the hashed form up to SHA-256 collisions).
 */
export const MAX_ENCODED_TOKEN = 512;

const RAW = /^[A-Za-z0-9_-]+$/;
const TOKEN = /^[rbuh][A-Za-z0-9_-]*$/;

export function encodeToken(value: string): string {
  let token: string;
  if (RAW.test(value)) token = `r${value}`;
  else if (isWellFormed(value)) token = `b${Buffer.from(value, 'utf8').toString('base64url')}`;
  else token = `u${Buffer.from(value, 'utf16le').toString('base64url')}`;
  if (token.length <= MAX_ENCODED_TOKEN) return token;
  return `h${createHash('sha256').update(value, isWellFormed(value) ? 'utf8' : 'utf16le').digest('base64url')}`;
}

// A lone surrogate is a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `String.prototype.isWellFormed` (ES2024), which the ES2022 library typings lack. */
function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** The value a token encodes (for diagnostics); `undefined` for a hashed token or a malformed one. */
export function decodeToken(token: string): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  const body = token.slice(1);
  switch (token[0]) {
    case 'r':
      return body.length > 0 ? body : undefined;
    case 'b':
      return Buffer.from(body, 'base64url').toString('utf8');
    case 'u':
      return Buffer.from(body, 'base64url').toString('utf16le');
    default:
      return undefined;
  }
}

/** Whether `token` can stand as one subject token (and as one KV key token). */
export function isSafeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(token);
}
