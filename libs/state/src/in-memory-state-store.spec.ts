import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentId } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { describeStateStoreConformance } from './testing.js';
import { FileStateStore, InMemoryStateStore, synchronousStateAccess } from './index.js';

describeStateStoreConformance('InMemoryStateStore', () => new InMemoryStateStore());

describe('InMemoryStateStore', () => {
  it('offers synchronous access (engines load and save it without a promise); a file store does not', async () => {
    const store = new InMemoryStateStore();
    const sync = synchronousStateAccess(store);
    expect(sync).toBeDefined();
    const id = new AgentId('counter', 'a');
    const version = sync?.set(id, { n: 1 });
    expect(await store.get(id)).toEqual({ state: { n: 1 }, version });
    const directory = await mkdtemp(join(tmpdir(), 'agentopera-sync-'));
    try {
      expect(synchronousStateAccess(new FileStateStore(directory))).toBeUndefined();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
