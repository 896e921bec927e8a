import 'reflect-metadata';
import { describeValue, type MessageContext } from '@agentopera/types';
import { HandlerDefinitionError } from './errors.js';
import type { RoutedAgent } from './routed-agent.js';

/** A class messages can be instances of (abstract classes included). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructors of any arity
export type MessageClass<T = unknown> = abstract new (...args: any[]) => T;

/** The message type a handler for class `C` receives: primitives for their wrappers, else instances. */
export type MessageOf<C> = C extends StringConstructor
  ? string
  : C extends NumberConstructor
    ? number
    : C extends BooleanConstructor
      ? boolean
      : C extends MessageClass<infer T>
        ? T
        : never;

/** Secondary routing: among handlers for the message's class, the first whose `match` is true wins. */
export type MatchFunction<M> = (message: M, ctx: MessageContext) => boolean;

export interface HandlerOptions<M> {
  match?: MatchFunction<M>;
}

/** The shape of a handler method: `async name(message: M, ctx: MessageContext)`. */
export type HandlerMethod<M> = (message: M, ctx: MessageContext) => unknown;

/** A method decorator for `RoutedAgent` handlers accepting messages of type `M`. */
export type HandlerDecorator<M> = <F extends HandlerMethod<M>>(
  target: RoutedAgent,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<F>,
) => void;

/** The forms of `@messageHandler`, `@event` and `@rpc`. */
export interface HandlerDecoratorFactory {
  /** Handles the class of the method's first parameter (read from `design:paramtypes`). */
  (): HandlerDecorator<never>;
  /** As `()`, with a `match` predicate. */
  <M = unknown>(options: HandlerOptions<M>): HandlerDecorator<never>;
  /** Handles instances of `messageClass` (`String`, `Number`, `Boolean` match primitives). */
  <C extends MessageClass>(messageClass: C, options?: HandlerOptions<MessageOf<C>>): HandlerDecorator<MessageOf<C>>;
  /** Handles instances of any of `messageClasses`. */
  <const C extends readonly MessageClass[]>(
    messageClasses: C,
    options?: HandlerOptions<MessageOf<C[number]>>,
  ): HandlerDecorator<MessageOf<C[number]>>;
}

/** Which deliveries a handler accepts: any, published only (`event`) or `sendMessage` only (`rpc`). */
export type HandlerKind = 'any' | 'event' | 'rpc';

/** One decorated method, as recorded at class definition. */
export interface HandlerSpec {
  readonly propertyKey: string | symbol;
  readonly messageClasses: readonly MessageClass[];
  readonly kind: HandlerKind;
  readonly match: MatchFunction<unknown> | undefined;
}

// Keyed by the prototype that declares the methods, so each class keeps only its own handlers.
const ownSpecs = new WeakMap<object, HandlerSpec[]>();
const NO_SPECS: readonly HandlerSpec[] = Object.freeze([]);

/** The handlers declared by the class whose prototype is `prototype` (not inherited), in order. */
export function ownHandlerSpecs(prototype: object): readonly HandlerSpec[] {
  return ownSpecs.get(prototype) ?? NO_SPECS;
}

function createHandlerDecoratorFactory(kind: HandlerKind, name: string): HandlerDecoratorFactory {
  const factory = (first?: unknown, second?: unknown) =>
    (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void => {
      const spec = defineHandler({ kind, name, target, propertyKey, descriptor, first, second });
      const specs = ownSpecs.get(target);
      if (specs === undefined) ownSpecs.set(target, [spec]);
      else specs.push(spec);
    };
  return factory as HandlerDecoratorFactory;
}

interface Definition {
  kind: HandlerKind;
  name: string;
  target: object;
  propertyKey: string | symbol;
  descriptor: PropertyDescriptor;
  first: unknown;
  second: unknown;
}

function defineHandler(definition: Definition): HandlerSpec {
  const { kind, name, target, propertyKey, descriptor } = definition;
  const isStatic = typeof target === 'function';
  const where = `${isStatic ? target.name : target.constructor.name}.${String(propertyKey)}`;
  const fail = (problem: string): never => {
    throw new HandlerDefinitionError(`@${name}() on ${where}: ${problem}`);
  };
  if (isStatic) fail('handlers must be instance methods, not static ones');
  if (typeof descriptor?.value !== 'function') fail('it decorates methods only, not accessors or fields');

  const classesGiven = typeof definition.first === 'function' || Array.isArray(definition.first);
  const options = classesGiven ? definition.second : definition.first;
  if (!classesGiven && definition.second !== undefined) {
    fail(`expected a class or an array of classes as first argument, got ${describeValue(definition.first)}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    fail(`options must be an object like { match }, got ${describeValue(options)}`);
  }
  const match = (options as HandlerOptions<unknown> | undefined)?.match;
  if (match !== undefined && typeof match !== 'function') {
    fail(`match must be a function (message, ctx) => boolean, got ${describeValue(match)}`);
  }

  const messageClasses = classesGiven
    ? ([] as unknown[]).concat(definition.first)
    : [inferMessageClass(target, propertyKey, name, fail)];
  if (messageClasses.length === 0) fail('the array of message classes is empty');
  for (const cls of messageClasses) {
    if (typeof cls !== 'function' || typeof (cls as { prototype?: unknown }).prototype !== 'object') {
      fail(`${describeValue(cls)} is not a class; pass message classes such as MyMessage or String`);
    }
  }
  return { propertyKey, messageClasses: messageClasses as MessageClass[], kind, match };
}

function inferMessageClass(
  target: object,
  propertyKey: string | symbol,
  name: string,
  fail: (problem: string) => never,
): unknown {
  const paramTypes: unknown = Reflect.getMetadata('design:paramtypes', target, propertyKey);
  if (!Array.isArray(paramTypes)) {
    return fail(
      'no design:paramtypes metadata to learn the message type from (is emitDecoratorMetadata on?); ' +
        `pass the message class explicitly, e.g. @${name}(MyMessage)`,
    );
  }
  const first: unknown = paramTypes[0];
  if (typeof first !== 'function' || first === Object) {
    return fail(
      `cannot learn the message type from the first parameter (its runtime type is ${first === Object ? 'Object' : describeValue(first)}: ` +
        'interfaces, unions, type aliases, unknown and classes declared later in the file all erase to that); ' +
        `pass the message class explicitly, e.g. @${name}(MyMessage)`,
    );
  }
  return first;
}

/** Routes messages of any delivery kind (published or `sendMessage`) to the decorated method. */
export const messageHandler: HandlerDecoratorFactory = createHandlerDecoratorFactory('any', 'messageHandler');

/** Routes published messages only (`ctx.isRpc === false`) to the decorated method. */
export const event: HandlerDecoratorFactory = createHandlerDecoratorFactory('event', 'event');

/** Routes `sendMessage` (RPC) messages only (`ctx.isRpc === true`) to the decorated method. */
export const rpc: HandlerDecoratorFactory = createHandlerDecoratorFactory('rpc', 'rpc');
