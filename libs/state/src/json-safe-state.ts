import { InvalidStateError, type AgentId, type AgentState } from '@agentopera/types';

// State must come back from JSON.parse(JSON.stringify(state)) as it went in, so that what an
// engine saves is what the agent later loads, whatever store sits behind it. The check walks the
// value once and names the first member that JSON would change, drop or refuse.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type PathStep = string | number | symbol;

function formatPath(steps: readonly PathStep[]): string {
  let path = 'state';
  for (const step of steps) {
    if (typeof step === 'number') path += `[${step}]`;
    else if (typeof step === 'symbol') path += `[${String(step)}]`;
    else path += IDENTIFIER.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  }
  return path;
}

function article(word: string): string {
  // "an Error", "an Int8Array", but "a Uint8Array", "a URL".
  return /^[AEIO]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** Why an object with a prototype other than Object's (or none) is not plain data. */
function describeNonPlain(value: object): string {
  const prototype = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  const constructor = prototype?.constructor;
  // Only name a class whose own prototype this is; Object.create(someObject) is no instance of Object.
  if (typeof constructor !== 'function' || constructor.prototype !== prototype || !constructor.name) {
    return 'an object with a non-plain prototype';
  }
  // Built-ins read as "a Map", "a Date"; user classes as "an instance of Counter".
  const builtIn = (globalThis as Record<string, unknown>)[constructor.name] === constructor;
  return builtIn ? article(constructor.name) : `an instance of ${constructor.name}`;
}

/** Why a primitive (or function) is not JSON-safe, or `undefined` when it is. */
function describeUnsafePrimitive(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      if (Number.isFinite(value)) return undefined;
      return Number.isNaN(value) ? 'NaN' : String(value);
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return 'a BigInt';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return `a function${value.name ? ` (${value.name})` : ''}`;
    default:
      return undefined;
  }
}

class Walk {
  readonly #steps: PathStep[] = [];
  // Objects on the path from the root to the current value, with their depth: a repeat is a cycle.
  // An object reached twice along different branches is fine (JSON copies it twice, equal).
  // Made on the first nested object: a flat state (the usual one) is checked without a Map.
  #ancestors: Map<object, number> | undefined = undefined;
  #root: object | undefined = undefined;

  constructor(readonly id: AgentId) {}

  fail(reason: string, at: readonly PathStep[] = this.#steps): never {
    throw new InvalidStateError(`${this.id.type}/${this.id.key}: ${formatPath(at)} is ${reason}`);
  }

  value(value: unknown): void {
    if (typeof value !== 'object' || value === null) {
      const reason = value === null ? undefined : describeUnsafePrimitive(value);
      if (reason !== undefined) this.fail(reason);
      return;
    }
    if (this.#root === undefined) {
      this.#root = value;
    } else {
      const ancestors = (this.#ancestors ??= new Map([[this.#root, 0]]));
      const seenAt = ancestors.get(value);
      if (seenAt !== undefined) {
        this.fail(`a cycle (it refers back to ${formatPath(this.#steps.slice(0, seenAt))})`);
      }
      ancestors.set(value, this.#steps.length);
    }
    if (Array.isArray(value)) this.#array(value);
    else this.#object(value);
    this.#ancestors?.delete(value);
  }

  #member(step: PathStep, value: unknown): void {
    this.#steps.push(step);
    this.value(value);
    this.#steps.pop();
  }

  #array(array: unknown[]): void {
    if (Object.getPrototypeOf(array) !== Array.prototype) this.fail(describeNonPlain(array));
    for (let index = 0; index < array.length; index++) {
      const descriptor = Object.getOwnPropertyDescriptor(array, index);
      if (descriptor === undefined) this.#failAt(index, 'a hole in a sparse array');
      if (!('value' in descriptor)) this.#failAt(index, 'a getter');
      this.#member(index, descriptor.value);
    }
    // Every index is present, so own keys beyond them and "length" are properties JSON drops.
    const keys = Reflect.ownKeys(array);
    if (keys.length !== array.length + 1) {
      const extra = keys.find((key) => key !== 'length' && !(typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key)));
      this.#failAt(extra ?? 'length', 'a property of an array, which JSON drops');
    }
  }

  #object(object: object): void {
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) this.fail(describeNonPlain(object));
    for (const key of Reflect.ownKeys(object)) {
      if (typeof key === 'symbol') this.#failAt(key, 'a symbol-keyed property, which JSON drops');
      const descriptor = Object.getOwnPropertyDescriptor(object, key) ?? {};
      if (!descriptor.enumerable) this.#failAt(key, 'not enumerable, so JSON drops it');
      if (!('value' in descriptor)) this.#failAt(key, 'a getter');
      this.#member(key, descriptor.value);
    }
  }

  #failAt(step: PathStep, reason: string): never {
    return this.fail(reason, [...this.#steps, step]);
  }
}

/**
 * Whether `object` is a plain object whose own properties are all enumerable data properties with
 * string keys and JSON-safe primitive values: the common flat state, checked without the walk's
 * allocations. Anything else (nested values included) takes the walk, which names what is wrong.
 */
function isFlatJsonObject(object: object): boolean {
  if (Object.getPrototypeOf(object) !== Object.prototype) return false;
  const keys = Reflect.ownKeys(object);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index];
    if (typeof key !== 'string' || !Object.prototype.propertyIsEnumerable.call(object, key)) return false;
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined || !('value' in descriptor)) return false;
    const value: unknown = descriptor.value;
    if (value !== null && (typeof value === 'object' || describeUnsafePrimitive(value) !== undefined)) return false;
  }
  return true;
}

/** The last frozen object `isFlatJsonObject` accepted. */
let lastFrozenFlat: object | undefined = undefined;

/**
 * Throws `InvalidStateError` unless `state` is a plain object that survives
 * `JSON.parse(JSON.stringify(state))` unchanged: plain objects, arrays without holes, strings,
 * finite numbers, booleans and null, with no cycle. The message names the agent and the first
 * offending member, e.g. `counter/a: state.seen is a Map`. (`-0` passes and is stored as `0`.)
 */
export function assertJsonSafeState(id: AgentId, state: unknown): asserts state is AgentState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    const what = state === null ? 'null' : Array.isArray(state) ? 'an array' : (describeUnsafePrimitive(state) ?? `a ${typeof state}`);
    throw new InvalidStateError(`${id.type}/${id.key}: state is ${what}; a state must be a plain object`);
  }
  if (state === lastFrozenFlat) return;
  if (isFlatJsonObject(state)) {
    // A frozen flat object cannot change, so it stays safe: the next check of it is one comparison
    // (an engine saves the same frozen `{}` for every agent whose `saveState` is a no-op).
    if (Object.isFrozen(state)) lastFrozenFlat = state;
    return;
  }
  try {
    new Walk(id).value(state);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new InvalidStateError(`${id.type}/${id.key}: state is nested too deeply to store`, { cause: error });
    }
    throw error;
  }
}
