import type { MessageContext } from '@agentopera/types';
import { HandlerDefinitionError } from './errors.js';
import { ownHandlerSpecs, type HandlerSpec } from './handler-registry.js';
import type { MatchFunction, MessageClass } from './handler-types.js';

/** A handler ready to call: the most derived implementation of the decorated method. */
export interface Route {
  readonly method: (message: unknown, ctx: MessageContext) => unknown;
  readonly match: MatchFunction<unknown> | undefined;
  readonly interleave: boolean;
}

interface Entry extends Route {
  readonly spec: HandlerSpec;
}

/** The routes a message may take, split by delivery kind so dispatch needs no kind check. */
interface Candidates {
  readonly published: readonly Route[];
  readonly rpc: readonly Route[];
}

const NO_CANDIDATES: Candidates = { published: [], rpc: [] };
const NULL_PROTOTYPE = Symbol('null prototype');
// Bounds the cache against programs that mint a fresh prototype per message.
const MAX_CACHED_KEYS = 1024;

const PRIMITIVE_WRAPPERS: Partial<Record<string, unknown>> = { string: String, number: Number, boolean: Boolean };

/**
 * The handlers of one concrete agent class, with the applicable ones cached per message
 * prototype: `instanceof` depends only on the prototype chain, so one scan serves every later
 * message of the same class.
 */
export class RouteTable {
  readonly #entries: readonly Entry[];
  readonly #byKey = new Map<unknown, Candidates>();
  /** Whether any handler may interleave; when none does, asking costs nothing. */
  readonly hasInterleaving: boolean;

  constructor(entries: readonly Entry[]) {
    this.#entries = entries;
    this.hasInterleaving = entries.some((entry) => entry.interleave);
  }

  /** The message classes the handlers accept, each once, in routing order. */
  messageClasses(): MessageClass[] {
    return [...new Set(this.#entries.flatMap((entry) => entry.spec.messageClasses))];
  }

  /** The routes for `message`, in routing order, for a published message or an RPC. */
  candidates(message: unknown, isRpc: boolean): readonly Route[] {
    const key = cacheKey(message);
    let candidates = this.#byKey.get(key);
    if (candidates === undefined) {
      candidates = this.#scan(message);
      if (this.#byKey.size < MAX_CACHED_KEYS) this.#byKey.set(key, candidates);
    }
    return isRpc ? candidates.rpc : candidates.published;
  }

  #scan(message: unknown): Candidates {
    const applicable = this.#entries.filter((entry) => entry.spec.messageClasses.some((cls) => isInstance(message, cls)));
    if (applicable.length === 0) return NO_CANDIDATES;
    return {
      published: applicable.filter((entry) => entry.spec.kind !== 'rpc'),
      rpc: applicable.filter((entry) => entry.spec.kind !== 'event'),
    };
  }
}

function cacheKey(message: unknown): unknown {
  if ((typeof message === 'object' && message !== null) || typeof message === 'function') {
    return Object.getPrototypeOf(message) ?? NULL_PROTOTYPE;
  }
  return typeof message === 'object' ? 'null' : typeof message;
}

function isInstance(message: unknown, cls: MessageClass): boolean {
  if ((typeof message === 'object' && message !== null) || typeof message === 'function') return message instanceof cls;
  return PRIMITIVE_WRAPPERS[typeof message] === cls;
}

const tables = new WeakMap<object, RouteTable>();

/** Whether the route table of `ctor` was built (it handled a message), after which its handlers are fixed. */
export function hasRouteTable(ctor: object): boolean {
  return tables.has(ctor);
}

/**
 * The route table of the agent class `ctor`, built on first use. Subclass handlers come before
 * inherited ones (a subclass specialises its parent); within a class, declaration order. A
 * subclass that re-decorates a method name replaces the parent's handler for that name; one that
 * overrides the method without decorating keeps the parent's routing and runs the override.
 */
export function routeTableFor(ctor: abstract new (...args: never[]) => unknown): RouteTable {
  let table = tables.get(ctor);
  if (table === undefined) {
    table = new RouteTable(collectEntries(ctor));
    tables.set(ctor, table);
  }
  return table;
}

/**
 * The message classes the handlers of agent class `ctor` accept (its own and inherited ones), each
 * once. An engine that moves messages between processes registers serializers for them.
 */
export function handledMessageClasses(ctor: abstract new (...args: never[]) => unknown): MessageClass[] {
  return routeTableFor(ctor).messageClasses();
}

function collectEntries(ctor: abstract new (...args: never[]) => unknown): Entry[] {
  const prototype = ctor.prototype as Record<string | symbol, unknown>;
  const entries: Entry[] = [];
  const overridden = new Set<string | symbol>();
  for (let level: object | null = prototype; level !== null; level = Object.getPrototypeOf(level) as object | null) {
    const specs = ownHandlerSpecs(level).filter((spec) => spec.privateMethod !== undefined || !overridden.has(spec.propertyKey));
    for (const spec of specs) {
      entries.push({ spec, match: spec.match, interleave: spec.interleave, method: methodOf(ctor, prototype, spec) });
    }
    for (const spec of specs) if (spec.privateMethod === undefined) overridden.add(spec.propertyKey);
  }
  return entries;
}

function methodOf(ctor: { readonly name: string }, prototype: Record<string | symbol, unknown>, spec: HandlerSpec): Route['method'] {
  const privateMethod = spec.privateMethod;
  if (privateMethod !== undefined) {
    // A #private method is reached through the instance (another decorator may have replaced it).
    return function (this: object, message: unknown, ctx: MessageContext): unknown {
      return privateMethod(this).call(this, message, ctx);
    };
  }
  const method = prototype[spec.propertyKey];
  if (typeof method !== 'function') {
    throw new HandlerDefinitionError(
      `${ctor.name}.${String(spec.propertyKey)} is a declared message handler but is no longer a method in ${ctor.name}`,
    );
  }
  return method as Route['method'];
}
