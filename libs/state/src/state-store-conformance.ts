import { AgentId, InvalidStateError, type AgentState } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { StateConflictError } from './errors.js';
import { hostileAgentIds } from './hostile-agent-ids.js';
import type { StateStore } from './state-store.js';
import { synchronousStateAccess, type SynchronousStateAccess } from './synchronous-state-access.js';

/** Builds a fresh, empty store for one test. */
export type MakeStateStore = () => StateStore | Promise<StateStore>;

/** Options of `describeStateStoreConformance`. */
export interface StateStoreConformanceOptions {
  /** How many writers race in the concurrency cases (default 8). */
  concurrentWriters?: number;
}

const counter = new AgentId('counter', 'a');
const other = new AgentId('counter', 'b');

/** A state that exercises what JSON can carry, so a lossy encoding shows. */
const richState = (): AgentState => ({
  count: 3,
  ratio: -0.125,
  big: Number.MAX_SAFE_INTEGER,
  tiny: 5e-324,
  text: 'ünïcødé 漢字 🎉 "quoted" \\ back\nslash',
  loneSurrogate: '\ud800',
  flags: [true, false, null],
  nested: { list: [{ a: 1 }, [2, [3]]], empty: {}, none: [] },
  'key with spaces': 'v',
  __proto__x: 'not a prototype',
});

async function conflictOf(promise: Promise<unknown>): Promise<StateConflictError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StateConflictError);
  return error as StateConflictError;
}

/**
 * Registers Vitest suites checking that `makeStore()` builds a `StateStore` with the contract of
 * `@agentopera/state`: copies in and out, a new version on every write, compare-and-set that writes
 * nothing on a mismatch and lets exactly one of racing writers win, one entry per legal `AgentId`
 * however hostile its key, JSON-safety of what is stored, and `close`. Each test gets a fresh store
 * and closes it. Call it at the top level of a spec file.
 */
export function describeStateStoreConformance(
  name: string,
  makeStore: MakeStateStore,
  options: StateStoreConformanceOptions = {},
): void {
  const writers = options.concurrentWriters ?? 8;

  /** Runs `body` on a fresh store, closing it afterwards whatever happens. */
  const withStore = (body: (store: StateStore) => Promise<void>) => async (): Promise<void> => {
    const store = await makeStore();
    try {
      await body(store);
    } finally {
      await store.close?.();
    }
  };

  describe(`${name} conforms to StateStore`, () => {
    describe('get and set', () => {
      it('has no entry for an id never written', withStore(async (store) => {
        expect(await store.get(counter)).toBeUndefined();
      }));

      it('gives back what was set, with the version set resolved with', withStore(async (store) => {
        const version = await store.set(counter, richState());
        expect(typeof version).toBe('string');
        expect(await store.get(counter)).toEqual({ state: richState(), version });
      }));

      it('keeps an own "__proto__" key as data, without touching prototypes', withStore(async (store) => {
        const state = JSON.parse('{"__proto__":{"polluted":true},"n":1}') as AgentState;
        const version = await store.set(counter, state);
        const stored = await store.get(counter);
        expect(stored?.version).toBe(version);
        expect(JSON.stringify(stored?.state)).toBe('{"__proto__":{"polluted":true},"n":1}');
        expect(Object.getPrototypeOf(stored?.state)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }));

      it('stores a copy: changing the object after set changes nothing stored', withStore(async (store) => {
        const state = { count: 1, nested: { list: [1] } };
        await store.set(counter, state);
        state.count = 2;
        state.nested.list.push(2);
        expect((await store.get(counter))?.state).toEqual({ count: 1, nested: { list: [1] } });
      }));

      it('returns a copy: changing what get returned changes nothing stored', withStore(async (store) => {
        await store.set(counter, { count: 1, nested: { list: [1] } });
        const first = (await store.get(counter))?.state as { count: number; nested: { list: number[] } };
        first.count = 2;
        first.nested.list.push(2);
        expect((await store.get(counter))?.state).toEqual({ count: 1, nested: { list: [1] } });
      }));

      it('writes unconditionally when expectedVersion is omitted', withStore(async (store) => {
        await store.set(counter, { n: 1 });
        const version = await store.set(counter, { n: 2 });
        expect(await store.get(counter)).toEqual({ state: { n: 2 }, version });
      }));

      it('gives every write a new version, never reused after a delete', withStore(async (store) => {
        const versions: string[] = [];
        for (let n = 0; n < 5; n++) versions.push(await store.set(counter, { n: 0 }));
        await store.delete(counter);
        versions.push(await store.set(counter, { n: 0 }));
        expect(new Set(versions).size).toBe(versions.length);
      }));

      it('rejects a state JSON cannot carry with InvalidStateError and keeps the old entry', withStore(async (store) => {
        const version = await store.set(counter, { n: 1 });
        for (const bad of [{ seen: new Map() }, { at: new Date(0) }, { f: () => 1 }, { u: undefined }, { n: NaN }]) {
          await expect(store.set(counter, bad as AgentState)).rejects.toBeInstanceOf(InvalidStateError);
        }
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        await expect(store.set(counter, cyclic)).rejects.toBeInstanceOf(InvalidStateError);
        expect(await store.get(counter)).toEqual({ state: { n: 1 }, version });
        await expect(store.set(new AgentId('counter', 'fresh'), { s: new Set() })).rejects.toBeInstanceOf(InvalidStateError);
        expect(await store.get(new AgentId('counter', 'fresh'))).toBeUndefined();
      }));
    });

    describe('compare-and-set', () => {
      it('with expectedVersion null, creates an absent entry', withStore(async (store) => {
        const version = await store.set(counter, { n: 1 }, { expectedVersion: null });
        expect(await store.get(counter)).toEqual({ state: { n: 1 }, version });
      }));

      it('with expectedVersion null, rejects when an entry exists and writes nothing', withStore(async (store) => {
        const version = await store.set(counter, { n: 1 });
        const conflict = await conflictOf(store.set(counter, { n: 2 }, { expectedVersion: null }));
        expect([conflict.expected, conflict.actual, conflict.id.equals(counter)]).toEqual([null, version, true]);
        expect(await store.get(counter)).toEqual({ state: { n: 1 }, version });
      }));

      it('with the current version, writes', withStore(async (store) => {
        const first = await store.set(counter, { n: 1 });
        const second = await store.set(counter, { n: 2 }, { expectedVersion: first });
        expect(second).not.toBe(first);
        expect(await store.get(counter)).toEqual({ state: { n: 2 }, version: second });
      }));

      it('with a stale version, rejects with expected and actual and writes nothing', withStore(async (store) => {
        const stale = await store.set(counter, { n: 1 });
        const current = await store.set(counter, { n: 2 });
        const conflict = await conflictOf(store.set(counter, { n: 3 }, { expectedVersion: stale }));
        expect([conflict.expected, conflict.actual]).toEqual([stale, current]);
        expect(conflict.name).toBe('StateConflictError');
        expect(conflict.code).toBe('STATE_CONFLICT');
        expect(await store.get(counter)).toEqual({ state: { n: 2 }, version: current });
      }));

      it('treats the empty state {} like any other: versions, copies, conditions, conflicts', withStore(async (store) => {
        // Most agents keep {}, so a store may well hold it apart: it must behave the same.
        const first = await store.set(counter, {}, { expectedVersion: null });
        const copy = (await store.get(counter))?.state as Record<string, unknown>;
        copy.n = 1;
        expect(await store.get(counter)).toEqual({ state: {}, version: first });
        const conflict = await conflictOf(store.set(counter, {}, { expectedVersion: null }));
        expect([conflict.expected, conflict.actual]).toEqual([null, first]);
        const second = await store.set(counter, { n: 1 }, { expectedVersion: first });
        const third = await store.set(counter, {}, { expectedVersion: second });
        expect(new Set([first, second, third]).size).toBe(3);
        expect(await conflictOf(store.set(counter, {}, { expectedVersion: second }))).toMatchObject({ expected: second, actual: third });
        expect(await store.get(counter)).toEqual({ state: {}, version: third });
        await expect(store.delete(counter, { expectedVersion: second })).rejects.toBeInstanceOf(StateConflictError);
        expect(await store.delete(counter, { expectedVersion: third })).toBe(true);
        expect(await store.get(counter)).toBeUndefined();
      }));

      it('with a version when there is no entry, rejects (actual null) and creates nothing', withStore(async (store) => {
        const version = await store.set(counter, { n: 1 });
        await store.delete(counter);
        const conflict = await conflictOf(store.set(counter, { n: 2 }, { expectedVersion: version }));
        expect([conflict.expected, conflict.actual]).toEqual([version, null]);
        expect(await store.get(counter)).toBeUndefined();
      }));
    });

    describe('delete', () => {
      it('resolves false when there is no entry', withStore(async (store) => {
        expect(await store.delete(counter)).toBe(false);
      }));

      it('removes the entry and resolves true', withStore(async (store) => {
        await store.set(counter, { n: 1 });
        expect(await store.delete(counter)).toBe(true);
        expect(await store.get(counter)).toBeUndefined();
        expect(await store.delete(counter)).toBe(false);
      }));

      it('with the current version, removes the entry', withStore(async (store) => {
        const version = await store.set(counter, { n: 1 });
        expect(await store.delete(counter, { expectedVersion: version })).toBe(true);
        expect(await store.get(counter)).toBeUndefined();
      }));

      it('with a stale version, rejects and keeps the entry', withStore(async (store) => {
        const stale = await store.set(counter, { n: 1 });
        const current = await store.set(counter, { n: 2 });
        const conflict = await conflictOf(store.delete(counter, { expectedVersion: stale }));
        expect([conflict.expected, conflict.actual]).toEqual([stale, current]);
        expect(await store.get(counter)).toEqual({ state: { n: 2 }, version: current });
      }));

      it('with a version when there is no entry, rejects (actual null)', withStore(async (store) => {
        const version = await store.set(counter, { n: 1 });
        await store.delete(counter);
        const conflict = await conflictOf(store.delete(counter, { expectedVersion: version }));
        expect([conflict.expected, conflict.actual]).toEqual([version, null]);
      }));

      it('touches no other id', withStore(async (store) => {
        const version = await store.set(other, { n: 2 });
        await store.set(counter, { n: 1 });
        await store.delete(counter);
        expect(await store.get(other)).toEqual({ state: { n: 2 }, version });
      }));
    });

    describe('identity', () => {
      const ids = hostileAgentIds();

      it('keeps one entry for each of many hostile ids', withStore(async (store) => {
        expect(new Set(ids.map((id) => JSON.stringify([id.type, id.key]))).size).toBe(ids.length);
        const versions = new Map<number, string>();
        for (const [index, id] of ids.entries()) versions.set(index, await store.set(id, { index, type: id.type, key: id.key }));
        for (const [index, id] of ids.entries()) {
          expect(await store.get(id), `entry of ${JSON.stringify(String(id))}`).toEqual({
            state: { index, type: id.type, key: id.key },
            version: versions.get(index),
          });
        }
      }));

      it('deletes one hostile id without touching the others', withStore(async (store) => {
        for (const [index, id] of ids.entries()) await store.set(id, { index });
        for (const [index, id] of ids.entries()) {
          if (index % 2 === 0) expect(await store.delete(id)).toBe(true);
        }
        for (const [index, id] of ids.entries()) {
          expect((await store.get(id))?.state, `entry of ${JSON.stringify(String(id))}`).toEqual(index % 2 === 0 ? undefined : { index });
        }
      }));

      it('treats an equal AgentId built separately as the same id', withStore(async (store) => {
        const version = await store.set(new AgentId('counter', 'x/y'), { n: 1 });
        expect(await store.get(AgentId.fromStr('counter/x/y'))).toEqual({ state: { n: 1 }, version });
      }));
    });

    describe('concurrency', () => {
      it(`lets exactly one of ${writers} racing writers from the same version win`, withStore(async (store) => {
        const base = await store.set(counter, { writer: -1 });
        const results = await Promise.allSettled(
          Array.from({ length: writers }, (_, writer) => store.set(counter, { writer }, { expectedVersion: base })),
        );
        const winners = results.flatMap((result, writer) => (result.status === 'fulfilled' ? [{ writer, version: result.value }] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StateConflictError);
        }
        expect(await store.get(counter)).toEqual({ state: { writer: winners[0]?.writer }, version: winners[0]?.version });
      }));

      it(`lets exactly one of ${writers} racing creators (expectedVersion null) win`, withStore(async (store) => {
        const results = await Promise.allSettled(
          Array.from({ length: writers }, (_, writer) => store.set(counter, { writer }, { expectedVersion: null })),
        );
        const winners = results.flatMap((result, writer) => (result.status === 'fulfilled' ? [{ writer, version: result.value }] : []));
        expect(winners).toHaveLength(1);
        expect(await store.get(counter)).toEqual({ state: { writer: winners[0]?.writer }, version: winners[0]?.version });
      }));

      it('ends racing unconditional writers on one of their states, each with its own version', withStore(async (store) => {
        const versions = await Promise.all(Array.from({ length: writers }, (_, writer) => store.set(counter, { writer })));
        expect(new Set(versions).size).toBe(writers);
        const stored = await store.get(counter);
        const writer = (stored?.state as { writer: number }).writer;
        expect(stored?.version).toBe(versions[writer]);
      }));

      it('lets racing writers on different ids all succeed', withStore(async (store) => {
        const ids = Array.from({ length: writers }, (_, n) => new AgentId('counter', `racer-${n}`));
        await Promise.all(ids.map((id, n) => store.set(id, { n }, { expectedVersion: null })));
        for (const [n, id] of ids.entries()) expect((await store.get(id))?.state).toEqual({ n });
      }));
    });

    describe('synchronous access (SYNCHRONOUS_STATE_ACCESS), when offered: as get and set', () => {
      /** Runs `body` on a fresh store's synchronous access; a store without one passes. */
      const withSyncAccess =
        (body: (store: StateStore, sync: SynchronousStateAccess) => Promise<void> | void) =>
        async (): Promise<void> => {
          const store = await makeStore();
          try {
            const sync = synchronousStateAccess(store);
            if (sync !== undefined) await body(store, sync);
          } finally {
            await store.close?.();
          }
        };

      it('agrees with get and set, versions included', withSyncAccess(async (store, sync) => {
        const first = sync.set(counter, { n: 1 }, { expectedVersion: null });
        expect(await store.get(counter)).toEqual({ state: { n: 1 }, version: first });
        const second = await store.set(counter, { n: 2 }, { expectedVersion: first });
        expect(sync.get(counter)).toEqual({ state: { n: 2 }, version: second });
        expect(sync.get(other)).toBeUndefined();
      }));

      it('copies in and out', withSyncAccess((_store, sync) => {
        const state = { list: [1] };
        sync.set(counter, state);
        state.list.push(2);
        const read = sync.get(counter);
        (read?.state['list'] as number[]).push(3);
        expect(sync.get(counter)?.state).toEqual({ list: [1] });
      }));

      it('throws what set and get reject with, and writes nothing', withSyncAccess((_store, sync) => {
        const version = sync.set(counter, { n: 1 });
        expect(() => sync.set(counter, { n: 2 }, { expectedVersion: null })).toThrow(StateConflictError);
        expect(() => sync.set(counter, { n: 2 }, { expectedVersion: `${version}x` })).toThrow(StateConflictError);
        expect(() => sync.set(counter, { seen: new Map() } as unknown as AgentState)).toThrow(InvalidStateError);
        expect(() => sync.get({ type: 'no/slash', key: 'k' } as AgentId)).toThrow(TypeError);
        expect(sync.get(counter)).toEqual({ state: { n: 1 }, version });
      }));

      it('still throws once the store is closed', withSyncAccess(async (store, sync) => {
        if (store.close === undefined) return;
        await store.close();
        expect(() => sync.get(counter)).toThrow();
      }));
    });

    describe('close', () => {
      it('resolves, twice too, and later calls reject instead of losing writes silently', async () => {
        const store = await makeStore();
        await store.set(counter, { n: 1 });
        await store.close?.();
        await store.close?.();
        if (store.close) {
          await expect(store.set(counter, { n: 2 })).rejects.toThrow();
          await expect(store.get(counter)).rejects.toThrow();
        }
      });
    });
  });
}
