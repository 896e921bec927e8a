import { randomBytes } from 'node:crypto';

/**
 * A name no other test uses (stream, bucket and cluster names), so tests may share one server —
 * `NATS_URL`'s — without seeing each other's data.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
