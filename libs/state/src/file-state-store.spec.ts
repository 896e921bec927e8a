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
// Stores live three levels below a scratch root, so that even a key such as "../../x", were it
// used as a path, would land inside the root, where the scan below sees it.
const root = mkdtempSync(join(tmpdir(), 'file-state-store-'));
const parent = join(root, 'one', 'two', 'three');
mkdirSync(parent, { recursive: true });
let storeCount = 0;

function newDirectory(): string {
  return join(parent, `store-${++storeCount}`);
}

/** Every path under `directory`, relative to it, directories included. */
function walk(directory: string, prefix = ''): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const relative = join(prefix, entry.name);
    return entry.isDirectory() ? [relative, ...walk(join(directory, entry.name), relative)] : [relative];
  });
}

afterEach(() => {
  // Nothing outside the stores' directories, and inside them only entry files: no stray
  // temporary files, no subdirectories or files a hostile key might have created.
  const allowed = /^one(\/two(\/three(\/store-\d+(\/[a-z0-9_]{0,48}-[0-9a-f]{64}\.json)?)?)?)?$/;
  for (const path of walk(root)) expect(path, `unexpected ${path} in the scratch directory`).toMatch(allowed);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

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

  it.runIf(process.platform === 'linux')('keeps few files open when hundreds of agents save at once', async () => {
    const directory = newDirectory();
    const store = new FileStateStore(directory);
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const baseline = openFiles();
    let peak = baseline;
    let done = false;
    const saves = Promise.all(Array.from({ length: 400 }, (_, n) => store.set(new AgentId('worker', `k${n}`), { n }))).finally(
      () => (done = true),
    );
    while (!done) {
      peak = Math.max(peak, openFiles());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await saves;
    expect(peak - baseline).toBeLessThanOrEqual(64 + 16);
    expect(readdirSync(directory)).toHaveLength(400);
    await store.close();
    rmSync(directory, { recursive: true });
  }, 60_000);

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
