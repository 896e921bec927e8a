import { performance } from 'node:perf_hooks';

/** One batch of work; resolves with how many operations it did. */
export type Batch = () => Promise<number>;

/**
 * Runs `batch` for `warmupSeconds` (JIT, caches, lazily built agents), then for `seconds`, and
 * returns operations per second of the measured part only.
 */
export async function opsPerSecond(batch: Batch, seconds: number, warmupSeconds: number): Promise<number> {
  await runFor(batch, warmupSeconds);
  const { ops, elapsed } = await runFor(batch, seconds);
  return ops / elapsed;
}

async function runFor(batch: Batch, seconds: number): Promise<{ ops: number; elapsed: number }> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  let now = start;
  do {
    ops += await batch();
    now = performance.now();
  } while (now < end);
  return { ops, elapsed: (now - start) / 1000 };
}

/** Forces a full collection; the child processes run with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('Run the variant with node --expose-gc');
  gc();
  gc();
}
