/** Heap in use after a full, forced collection (needs `node --expose-gc`). */
export function settledHeapBytes(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('The soak needs a forced GC: run it with node --expose-gc');
  // Twice: the first pass can leave weakly held and finalizable objects for the next.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
