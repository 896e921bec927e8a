import type { MessageContext } from '@agentopera/types';
import type { HandlerKind, MatchFunction, MessageClass } from './handler-types.js';

/** One declared handler, as recorded at class definition. */
export interface HandlerSpec {
  readonly propertyKey: string | symbol;
  readonly messageClasses: readonly MessageClass[];
  readonly kind: HandlerKind;
  readonly match: MatchFunction<unknown> | undefined;
  readonly interleave: boolean;
  /**
   * For a `#private` method (standard decorators only): reads the method from an instance. Public
   * methods are looked up by `propertyKey` on the agent's class instead, so overrides apply.
   */
  readonly privateMethod: ((agent: object) => (message: unknown, ctx: MessageContext) => unknown) | undefined;
  /** Declaration order across the whole program, to merge specs recorded in different places. */
  readonly order: number;
}

// Standard decorators hand a method decorator no class, only `context.metadata`: one object per
// decorated class, which the compiler stores as `Class[Symbol.metadata]`. TypeScript (5.2+) creates
// it only when `Symbol.metadata` exists, which Node does not define yet; esbuild and Babel fall
// back to `Symbol.for('Symbol.metadata')`, so defining it as that keeps every compiler in agreement.
// This module is loaded before any class that uses our decorators is defined.
const symbols = Symbol as unknown as { metadata?: symbol };
symbols.metadata ??= Symbol.for('Symbol.metadata');
const metadataKey: symbol = symbols.metadata;

/** Specs by the prototype that declares them (`experimentalDecorators` and `defineHandlers`). */
const byPrototype = new WeakMap<object, HandlerSpec[]>();
/** Specs by the decorator metadata object of the class that declares them (standard decorators). */
const byMetadata = new WeakMap<object, HandlerSpec[]>();
const NO_SPECS: readonly HandlerSpec[] = Object.freeze([]);
let nextOrder = 0;

/** The next declaration order number. */
export function nextHandlerOrder(): number {
  return nextOrder++;
}

function add(map: WeakMap<object, HandlerSpec[]>, key: object, spec: HandlerSpec): void {
  const specs = map.get(key);
  if (specs === undefined) map.set(key, [spec]);
  else specs.push(spec);
}

/** Records a handler declared on `prototype`. */
export function addPrototypeHandler(prototype: object, spec: HandlerSpec): void {
  add(byPrototype, prototype, spec);
}

/** Records a handler declared by a standard decorator of the class whose metadata is `metadata`. */
export function addMetadataHandler(metadata: object, spec: HandlerSpec): void {
  add(byMetadata, metadata, spec);
}

/** The handlers declared by the class whose prototype is `prototype` (not inherited), in order. */
export function ownHandlerSpecs(prototype: object): readonly HandlerSpec[] {
  const declared = byPrototype.get(prototype);
  const decorated = standardSpecsOf(prototype);
  if (decorated === undefined) return declared ?? NO_SPECS;
  if (declared === undefined) return decorated;
  return [...decorated, ...declared].sort((a, b) => a.order - b.order);
}

function standardSpecsOf(prototype: object): readonly HandlerSpec[] | undefined {
  // Metadata objects inherit from the parent class's, and an undecorated subclass inherits the
  // parent's `Symbol.metadata`: only an own one belongs to this class.
  if (!Object.hasOwn(prototype, 'constructor')) return undefined;
  const ctor: unknown = (prototype as { constructor: unknown }).constructor;
  if (typeof ctor !== 'function' || !Object.hasOwn(ctor, metadataKey)) return undefined;
  const metadata: unknown = (ctor as unknown as Record<symbol, unknown>)[metadataKey];
  return typeof metadata === 'object' && metadata !== null ? byMetadata.get(metadata) : undefined;
}
