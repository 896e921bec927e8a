import { describe, expect, it } from 'vitest';
import { engineRpc } from '../impl/engine-targets.js';
import { activationMicros } from './activation-latency.js';
import { fileStoreSavesPerSecond } from './file-store-saves.js';
import { lazyActivationsPerSecond } from './lazy-with-store.js';

// The scenarios' code paths, run for a moment; speed itself is only measured by `npm run bench`.
describe('the lifecycle scenarios run', () => {
  it('scenario 1 on a serial echo agent answers each call', async () => {
    const target = await engineRpc('serial');
    expect(await Promise.all([1, 2, 3].map((value) => target.call(value)))).toEqual([1, 2, 3]);
    await target.close();
  });

  it('scenario 4 with an InMemoryStateStore and a cap of 10,000 activates every agent past the cap', async () => {
    expect(await lazyActivationsPerSecond('engine-memory-store', 12_000)).toBeGreaterThan(0);
    await expect(lazyActivationsPerSecond('no-such-impl', 10)).rejects.toThrow(/unknown implementation no-such-impl/);
  }, 30_000);

  // Fsynced writes on a loaded disk can take tens of milliseconds each.
  it('FileStateStore saves, one and several at a time', async () => {
    expect(await fileStoreSavesPerSecond(1, 0.05, 0.01)).toBeGreaterThan(0);
    expect(await fileStoreSavesPerSecond(8, 0.05, 0.01)).toBeGreaterThan(0);
  }, 30_000);

  // Each round checks the reply: an agent that did not get its stored state back makes it throw.
  it.each(['none', 'memory', 'file'])('activation latency with store %s', async (impl) => {
    expect(await activationMicros(impl, 0.05, 0.01)).toBeGreaterThan(0);
  }, 30_000);
});
