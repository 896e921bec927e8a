import { AgentId, FileStateStore } from '@agentopera/core';
import { opsPerSecond } from '../timing.js';
import { temporaryStateDirectory } from './state-directory.js';

/** Distinct agents each writer cycles through, so most saves replace an existing entry, as an agent saving again does. */
const IDS_PER_WRITER = 100;

/**
 * `FileStateStore.set` per second with `inFlight` writers, each awaiting its previous save before
 * the next: every save reads the entry's version (compare-and-set), writes a temporary file, fsyncs
 * it, renames it over the entry and fsyncs the directory.
 */
export async function fileStoreSavesPerSecond(inFlight: number, seconds: number, warmup: number): Promise<number> {
  const store = new FileStateStore(temporaryStateDirectory());
  const ids = Array.from({ length: inFlight }, (_, writer) =>
    Array.from({ length: IDS_PER_WRITER }, (_, i) => new AgentId('counter', `w${writer}-${i}`)),
  );
  let round = 0;
  const rate = await opsPerSecond(
    async () => {
      const n = round++;
      await Promise.all(ids.map((own) => store.set(own[n % IDS_PER_WRITER], { count: n })));
      return inFlight;
    },
    seconds,
    warmup,
  );
  await store.close();
  return rate;
}
