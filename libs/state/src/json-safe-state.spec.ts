import { AgentId, InvalidStateError } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { assertJsonSafeState } from './json-safe-state.js';

const id = new AgentId('counter', 'a');

function messageOf(state: unknown): string {
  try {
    assertJsonSafeState(id, state);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStateError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${String(state)}`);
}

class Counter {
  n = 1;
}

describe('assertJsonSafeState', () => {
  it('accepts what JSON carries unchanged, and the value survives a JSON round trip', () => {
    const shared = { x: 1 };
    const states = [
      {},
      { n: 0, f: -1.5e300, s: 'ünï 🎉 \ud800', t: true, z: null, list: [1, 'a', null, [[]], {}] },
      { a: shared, b: shared },
      Object.assign(Object.create(null) as object, { dictionary: true }),
      JSON.parse('{"__proto__":{"x":1}}') as object,
      { 'a b': { 'c.d': [{ '': 0 }] } },
    ];
    for (const state of states) {
      expect(() => assertJsonSafeState(id, state)).not.toThrow();
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }
  });

  it('accepts -0, which JSON stores as 0 (equal under ===)', () => {
    expect(() => assertJsonSafeState(id, { z: -0 })).not.toThrow();
  });

  it('names the agent and the path of the first member JSON would change', () => {
    const fn = function tick(): void {};
    const cases: [unknown, string][] = [
      [{ seen: new Map() }, 'counter/a: state.seen is a Map'],
      [{ seen: new Set([1]) }, 'counter/a: state.seen is a Set'],
      [{ at: new Date(0) }, 'counter/a: state.at is a Date'],
      [{ re: /x/ }, 'counter/a: state.re is a RegExp'],
      [{ bytes: new Uint8Array(2) }, 'counter/a: state.bytes is a Uint8Array'],
      [{ boxed: new String('x') }, 'counter/a: state.boxed is a String'],
      [{ error: new Error('x') }, 'counter/a: state.error is an Error'],
      [{ c: new Counter() }, 'counter/a: state.c is an instance of Counter'],
      [{ p: Object.create({ inherited: 1 }) as object }, 'counter/a: state.p is an object with a non-plain prototype'],
      [{ f: fn }, 'counter/a: state.f is a function (tick)'],
      [{ u: undefined }, 'counter/a: state.u is undefined'],
      [{ b: 1n }, 'counter/a: state.b is a BigInt'],
      [{ s: Symbol('s') }, 'counter/a: state.s is a symbol'],
      [{ n: NaN }, 'counter/a: state.n is NaN'],
      [{ n: Infinity }, 'counter/a: state.n is Infinity'],
      [{ n: -Infinity }, 'counter/a: state.n is -Infinity'],
      [{ deep: { list: [0, { 'odd key': [new Map()] }] } }, 'counter/a: state.deep.list[1]["odd key"][0] is a Map'],
      // eslint-disable-next-line no-sparse-arrays -- a hole is the point of this case
      [{ list: [1, , 3] }, 'counter/a: state.list[1] is a hole in a sparse array'],
      [{ list: [undefined] }, 'counter/a: state.list[0] is undefined'],
      [{ list: Object.assign([1], { extra: 2 }) }, 'counter/a: state.list.extra is a property of an array, which JSON drops'],
      [{ [Symbol('tag')]: 1 }, 'counter/a: state[Symbol(tag)] is a symbol-keyed property, which JSON drops'],
      [Object.defineProperty({}, 'hidden', { value: 1, enumerable: false }), 'counter/a: state.hidden is not enumerable, so JSON drops it'],
      [{ get lazy() { return 1; } }, 'counter/a: state.lazy is a getter'],
      [{ a: class Foo {} }, 'counter/a: state.a is a function (Foo)'],
    ];
    for (const [state, message] of cases) expect(messageOf(state)).toBe(message);
  });

  it('names a cycle and where it points back to', () => {
    const state: Record<string, unknown> = { inner: {} };
    (state.inner as Record<string, unknown>).loop = state.inner;
    expect(messageOf(state)).toBe('counter/a: state.inner.loop is a cycle (it refers back to state.inner)');
    const root: Record<string, unknown> = {};
    root.list = [root];
    expect(messageOf(root)).toBe('counter/a: state.list[0] is a cycle (it refers back to state)');
  });

  it('wants a plain object at the top', () => {
    expect(messageOf([1])).toBe('counter/a: state is an array; a state must be a plain object');
    expect(messageOf(null)).toBe('counter/a: state is null; a state must be a plain object');
    expect(messageOf(undefined)).toBe('counter/a: state is undefined; a state must be a plain object');
    expect(messageOf(3)).toBe('counter/a: state is a number; a state must be a plain object');
    expect(messageOf(new Map())).toBe('counter/a: state is a Map');
  });

  it('reports a state nested beyond what can be walked instead of overflowing', () => {
    let state: Record<string, unknown> = {};
    for (let depth = 0; depth < 100_000; depth++) state = { next: state };
    expect(messageOf(state)).toBe('counter/a: state is nested too deeply to store');
  });

  it('checks an object again on every call unless it is frozen (a frozen flat one cannot change)', () => {
    const state: Record<string, unknown> = { n: 1 };
    assertJsonSafeState(id, state);
    state.seen = new Map();
    expect(messageOf(state)).toBe('counter/a: state.seen is a Map');
    const frozen = Object.freeze({ n: 1 });
    assertJsonSafeState(id, frozen);
    assertJsonSafeState(id, frozen);
    // Frozen, but only at the top: what it holds can still change, so it is walked each time.
    const shallow = Object.freeze({ list: [1] as unknown[] });
    assertJsonSafeState(id, shallow);
    shallow.list.push(new Date(0));
    expect(messageOf(shallow)).toBe('counter/a: state.list[1] is a Date');
  });
});
