import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentId, InvalidStateError, type AgentState } from '@agentopera/types';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { entryFileName } from './entry-file-name.js';
import { CorruptStateError, FileStateStore, StateConflictError, StateStoreClosedError, StateStoreLocationError } from './index.js';
import { describeStateStoreConformance, hostileAgentIds } from './testing.js';

const ENTRY_NAME = /^[a-z0-9_]{0,48}-[0-9a-f]{64}\.json$/;
const parent = mkdtempSync(join(tmpdir(), 'file-state-store-'));
let storeCount = 0;
/** Every store of this file lives in its own directory under `parent`, and nowhere else. */
const storeDirectories = new Set<string>();

function newDirectory(): string {
  const directory = join(parent, `store-${++storeCount}`);
  storeDirectories.add(`store-${storeCount}`);
  return directory;
}

afterEach(() => {
  // Nothing outside the stores' directories, and inside them only entry files: no stray
  // temporary files, no subdirectories a hostile key might have created.
  for (const name of readdirSync(parent)) expect(storeDirectories.has(name), `unexpected ${name} beside the stores`).toBe(true);
  for (const name of storeDirectories) {
    const directory = join(parent, name);
    if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const entry of readdirSync(directory)) expect(entry).toMatch(ENTRY_NAME);
  }
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describeStateStoreConformance('FileStateStore', () => new FileStateStore(newDirectory()));

const counter = new AgentId('counter', 'a');

describe('FileStateStore on disk', () => {
  it('creates its directory, nested parents included', async () => {
    const root = newDirectory();
    const directory = join(root, 'nested', 'deeper');
    const store = new FileStateStore(directory);
    await store.set(counter, { n: 1 });
    expect(statSync(directory).isDirectory()).toBe(true);
    expect(readdirSync(directory)).toHaveLength(1);
    await store.close();
    rmSync(root, { recursive: true });
  });

  it('gives a new store on the same directory what the old one wrote, with versions still growing', async () => {
    const directory = newDirectory();
    const first = new FileStateStore(directory);
    const version = await first.set(counter, { n: 1 });
    await first.close();
    const second = new FileStateStore(directory);
    expect(await second.get(counter)).toEqual({ state: { n: 1 }, version });
    const next = await second.set(counter, { n: 2 }, { expectedVersion: version });
    expect(BigInt(next) > BigInt(version)).toBe(true);
    await second.close();
  });

  it('writes the full id inside the file, in a name well under 255 bytes', async () => {
    const directory = newDirectory();
    const store = new FileStateStore(directory);
    const id = new AgentId('t'.repeat(300), '🎉'.repeat(1000));
    await store.set(id, { n: 1 });
    const [name] = readdirSync(directory);
    expect(Buffer.byteLength(name!)).toBeLessThanOrEqual(118);
    const header = JSON.parse(readFileSync(join(directory, name!), 'utf8').split('\n')[0]!) as { type: string; key: string };
    expect([header.type, header.key]).toEqual([id.type, id.key]);
    await store.close();
  });

  it('names hostile ids apart even on a case-insensitive file system', () => {
    const names = hostileAgentIds().map((id) => entryFileName(id));
    for (const name of names) expect(name).toMatch(ENTRY_NAME);
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
  });

  it('lets exactly one of two stores on the same directory win a compare-and-set race', async () => {
    const directory = newDirectory();
    const [a, b] = [new FileStateStore(directory), new FileStateStore(directory)];
    const base = await a.set(counter, { by: 'none' });
    const results = await Promise.allSettled([
      a.set(counter, { by: 'a' }, { expectedVersion: base }),
      b.set(counter, { by: 'b' }, { expectedVersion: base }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(StateConflictError);
    await Promise.all([a.close(), b.close()]);
  });

  it('waits on close for writes in flight, then rejects new calls', async () => {
    const directory = newDirectory();
    const store = new FileStateStore(directory);
    const writes = Array.from({ length: 5 }, (_, n) => store.set(new AgentId('counter', `k${n}`), { n }));
    await store.close();
    await expect(Promise.all(writes)).resolves.toHaveLength(5);
    expect(readdirSync(directory)).toHaveLength(5);
    await expect(store.get(counter)).rejects.toBeInstanceOf(StateStoreClosedError);
    await expect(store.set(counter, { n: 1 })).rejects.toThrow(/closed/);
  });
});

describe('FileStateStore input', () => {
  it('refuses a directory that is a file, or under a file', () => {
    const file = join(newDirectory());
    writeFileSync(file, 'not a directory');
    expect(() => new FileStateStore(file)).toThrow(StateStoreLocationError);
    expect(() => new FileStateStore(file)).toThrow(/is a file, not a directory/);
    expect(() => new FileStateStore(join(file, 'below'))).toThrow(StateStoreLocationError);
    rmSync(file);
  });

  it('refuses a directory path that is not a non-empty string', () => {
    expect(() => new FileStateStore('')).toThrow(TypeError);
    expect(() => new FileStateStore(undefined as unknown as string)).toThrow(/needs a directory path/);
  });

  it('rejects what is not an AgentId, and bad options, with a TypeError naming them', async () => {
    const store = new FileStateStore(newDirectory());
    await expect(store.get('counter/a' as unknown as AgentId)).rejects.toThrow(TypeError);
    await expect(store.set({ type: '../x', key: 'a' } as AgentId, {})).rejects.toThrow(/type "\.\.\/x"/);
    await expect(store.set({ type: 'x', key: 1 } as unknown as AgentId, {})).rejects.toThrow(/key 1 is not a string/);
    await expect(store.set(counter, {}, { expectedVersion: 3 as unknown as string })).rejects.toThrow(/expectedVersion.*3/);
    await expect(store.delete(counter, { expectedVersion: null as unknown as string })).rejects.toThrow(TypeError);
    await store.close();
  });

  it('rejects state JSON cannot carry before touching the disk', async () => {
    const directory = newDirectory();
    const store = new FileStateStore(directory);
    await expect(store.set(counter, { seen: new Map() })).rejects.toThrow(new InvalidStateError('counter/a: state.seen is a Map'));
    await expect(store.set(counter, [1] as unknown as AgentState)).rejects.toThrow(InvalidStateError);
    expect(readdirSync(directory)).toEqual([]);
    await store.close();
  });
});

describe('FileStateStore faced with damaged files', () => {
  it('reports a file that is not an entry, naming the id and the path', async () => {
    const directory = newDirectory();
    const store = new FileStateStore(directory);
    await store.set(counter, { n: 1 });
    const path = join(directory, entryFileName(counter));
    writeFileSync(path, 'garbage');
    await expect(store.get(counter)).rejects.toThrow(CorruptStateError);
    await expect(store.get(counter)).rejects.toThrow(`counter/a at ${path} is incomplete`);
    writeFileSync(path, '{"format":"agentopera-state/1","type":"counter","key":"a","version":"1"}\n{"n":\n');
    await expect(store.get(counter)).rejects.toThrow(/unreadable JSON/);
    await store.close();
  });

  it('refuses a file that holds another id (a copied or renamed file)', async () => {
    const directory = newDirectory();
    const store = new FileStateStore(directory);
    const other = new AgentId('counter', 'b');
    await store.set(other, { n: 2 });
    writeFileSync(join(directory, entryFileName(counter)), readFileSync(join(directory, entryFileName(other))));
    await expect(store.get(counter)).rejects.toThrow(/belongs to another id, "counter\/b"/);
    await expect(store.set(counter, { n: 1 })).rejects.toBeInstanceOf(CorruptStateError);
    rmSync(join(directory, entryFileName(counter)));
    await store.close();
  });

  it('sweeps temporary files left by a writer that died, and only those', async () => {
    const directory = newDirectory();
    mkdirSync(directory);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const orphan = `${entryFileName(counter)}.${dead}.00ff.tmp`;
    const ours = `${entryFileName(counter)}.${process.pid}.00ff.tmp`;
    writeFileSync(join(directory, orphan), '{"partial');
    writeFileSync(join(directory, ours), '{"partial');
    const store = new FileStateStore(directory);
    await store.close();
    expect(readdirSync(directory)).toEqual([ours]);
    rmSync(join(directory, ours));
  });
});
