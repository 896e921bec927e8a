import { HandlerDefinitionError } from './errors.js';
import {
  recordedParameterTypes,
  specFor,
  writtenForm,
  type HandlerDeclaration,
} from './handler-declaration.js';
import { addMetadataHandler, addPrototypeHandler, type HandlerSpec } from './handler-registry.js';
import type { HandlerDecoratorFactory, HandlerKind } from './handler-types.js';

/** The fields of a standard decorator context that tell it apart and that routing needs. */
interface StandardContext {
  readonly kind: string;
  readonly name: string | symbol;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: object;
  readonly access?: { get(object: object): unknown };
}

function isStandardContext(value: unknown): value is StandardContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

// The decorators made by the factories, with what they were called with (read by `defineHandlers`).
const declarations = new WeakMap<object, HandlerDeclaration>();

/** What `rpc(Foo)` (or a sibling) was called with, if `decorator` is one of ours. */
export function declarationOf(decorator: unknown): HandlerDeclaration | undefined {
  return typeof decorator === 'function' ? declarations.get(decorator) : undefined;
}

function createHandlerDecoratorFactory<K extends HandlerKind>(kind: K, name: string): HandlerDecoratorFactory<K> {
  function factory(first?: unknown, second?: unknown): unknown {
    // `@rpc` without parentheses: the compiler calls the factory itself as the decorator.
    const legacyCall = arguments.length === 3 && (typeof second === 'string' || typeof second === 'symbol');
    if (isStandardContext(second) || legacyCall) {
      throw new HandlerDefinitionError(
        `@${name} must be called with the message class: write @${name}(MyMessage), not @${name}`,
      );
    }
    const declaration: HandlerDeclaration = { kind, name, first, second };
    const decorator = (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): void => {
      if (isStandardContext(keyOrContext)) decorateStandard(declaration, target, keyOrContext);
      else decorateLegacy(declaration, target, keyOrContext as string | symbol, descriptor);
    };
    declarations.set(decorator, declaration);
    return decorator;
  }
  return factory as HandlerDecoratorFactory<K>;
}

/** TypeScript's `experimentalDecorators`: (prototype or class, key, descriptor). */
function decorateLegacy(
  declaration: HandlerDeclaration,
  target: unknown,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor | undefined,
): void {
  const written = `@${writtenForm(declaration)}`;
  const isStatic = typeof target === 'function';
  const owner = isStatic ? target.name : (target as object).constructor.name;
  const method = `${owner}.${String(propertyKey)}`;
  function fail(problem: string): never {
    throw new HandlerDefinitionError(`${written} on ${method}: ${problem}`);
  }
  if (isStatic) fail('handlers must be instance methods, not static ones');
  if (typeof target !== 'object' || target === null) fail(`it decorates class methods, got target ${String(target)}`);
  if (typeof descriptor?.value !== 'function') fail('it decorates methods only, not accessors or fields');
  const spec = specFor(
    declaration,
    {
      written,
      method,
      propertyKey,
      parameterTypes: () => recordedParameterTypes(target as object, propertyKey),
      noParameterTypes: undefined,
    },
    '@',
  );
  addPrototypeHandler(target as object, spec);
}

/** Standard (TC39) decorators: (method, context). */
function decorateStandard(declaration: HandlerDeclaration, value: unknown, context: StandardContext): void {
  const written = `@${writtenForm(declaration)}`;
  // The class is not known yet: standard decorators run before it exists.
  const method = `${context.static ? 'static ' : ''}${context.kind} ${String(context.name)}`;
  function fail(problem: string): never {
    throw new HandlerDefinitionError(`${written} on ${method}: ${problem}`);
  }
  if (context.kind !== 'method') fail(`it decorates methods only, not ${context.kind}s`);
  if (context.static) fail('handlers must be instance methods, not static ones');
  if (typeof value !== 'function') fail(`expected the method, got ${typeof value}`);
  const metadata = context.metadata;
  if (typeof metadata !== 'object' || metadata === null) {
    fail(
      'this compiler passes no decorator metadata (context.metadata), which routing needs to find the class; ' +
        'use TypeScript 5.2 or later, or experimentalDecorators',
    );
  }
  let privateMethod: HandlerSpec['privateMethod'];
  if (context.private) {
    const access = context.access;
    if (access === undefined) fail('the compiler gave no access to this private method');
    privateMethod = (agent) => access.get(agent) as ReturnType<NonNullable<HandlerSpec['privateMethod']>>;
  }
  const spec = specFor(
    declaration,
    {
      written,
      method,
      propertyKey: context.name,
      parameterTypes: () => undefined,
      noParameterTypes: 'standard decorators carry no parameter types',
      privateMethod,
    },
    '@',
  );
  addMetadataHandler(metadata as object, spec);
}

/** Routes messages of any delivery kind (published or `sendMessage`) to the decorated method. */
export const messageHandler: HandlerDecoratorFactory = createHandlerDecoratorFactory('any', 'messageHandler');

/** Routes published messages only (`ctx.isRpc === false`) to the decorated method. */
export const event: HandlerDecoratorFactory<'event'> = createHandlerDecoratorFactory('event', 'event');

/** Routes `sendMessage` (RPC) messages only (`ctx.isRpc === true`) to the decorated method. */
export const rpc: HandlerDecoratorFactory<'rpc'> = createHandlerDecoratorFactory('rpc', 'rpc');
