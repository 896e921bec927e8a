import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's full collection: `globalThis.gc` under `node --expose-gc` (how `npm run soak` runs);
 * elsewhere (a test runner's worker) the flag is set at run time and `gc` taken from a fresh
 * context, where V8 installs it once the flag is on.
 */
function forcedGc(): () => void {
  const exposed = globalThis.gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('The soak needs a forced GC: run it with node --expose-gc');
  return gc as () => void;
}

let gc: (() => void) | undefined;

/** Heap in use after a full, forced collection. */
export function settledHeapBytes(): number {
  gc ??= forcedGc();
  // Twice: the first pass can leave weakly held and finalizable objects for the next.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
