import 'reflect-metadata';
import { describeValue } from '@agentopera/types';
import { HandlerDefinitionError } from './errors.js';
import { nextHandlerOrder, type HandlerSpec } from './handler-registry.js';
import type { HandlerKind, HandlerOptions, MessageClass } from './handler-types.js';

/** What `rpc(Foo, { match })` (and its siblings) was called with, before it is applied to a method. */
export interface HandlerDeclaration {
  readonly kind: HandlerKind;
  /** `messageHandler`, `event` or `rpc`. */
  readonly name: string;
  readonly first: unknown;
  readonly second: unknown;
}

/** Where a declaration is applied, for the spec and for error messages. */
export interface HandlerSite {
  /** How the declaration was written at this site: `@rpc(Task)` or `rpc(Task)`. */
  readonly written: string;
  /** `Greeter.onTask`, or `method onTask` where the class is not known yet. */
  readonly method: string;
  readonly propertyKey: string | symbol;
  /** The parameter types, when the compiler recorded them (`design:paramtypes`). */
  readonly parameterTypes: () => unknown;
  /** Why no parameter types can exist at this site, if none can. */
  readonly noParameterTypes: string | undefined;
  readonly privateMethod?: HandlerSpec['privateMethod'];
}

/** The declaration as written: `rpc(Task)`, `rpc([A, B], { match })`, `rpc()`. */
export function writtenForm(declaration: HandlerDeclaration): string {
  const args: string[] = [];
  if (declaration.first !== undefined) args.push(describeArgument(declaration.first));
  if (declaration.second !== undefined) args.push(describeArgument(declaration.second));
  return `${declaration.name}(${args.join(', ')})`;
}

function describeArgument(value: unknown): string {
  if (typeof value === 'function') return value.name || '<anonymous class>';
  if (Array.isArray(value)) return `[${value.map(describeArgument).join(', ')}]`;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return `{ ${Object.keys(value).join(', ')} }`;
  }
  return describeValue(value);
}

/** The form with a class placeholder, as the fix to suggest: `rpc(MyMessage, { match })`. */
function withClassPlaceholder(declaration: HandlerDeclaration, prefix: string): string {
  const options = declaration.first === undefined ? '' : `, ${describeArgument(declaration.first)}`;
  return `${prefix}${declaration.name}(MyMessage${options})`;
}

/** Checks a declaration at the method it is applied to and returns its spec; throws `HandlerDefinitionError`. */
export function specFor(declaration: HandlerDeclaration, site: HandlerSite, fixPrefix: string): HandlerSpec {
  function fail(problem: string): never {
    throw new HandlerDefinitionError(`${site.written} on ${site.method}: ${problem}`);
  }
  const { first, second } = declaration;
  const classesGiven = typeof first === 'function' || Array.isArray(first);
  const options = classesGiven ? second : first;
  if (!classesGiven && second !== undefined) {
    fail(`expected a class or an array of classes as first argument, got ${describeValue(first)}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    fail(`options must be an object like { match, interleave }, got ${describeValue(options)}`);
  }
  const { match, interleave } = (options ?? {}) as HandlerOptions<unknown>;
  if (match !== undefined && typeof match !== 'function') {
    fail(`match must be a function (message, ctx) => boolean, got ${describeValue(match)}`);
  }
  if (interleave !== undefined && typeof interleave !== 'boolean') {
    fail(`interleave must be true or false, got ${describeValue(interleave)}`);
  }

  const messageClasses = classesGiven
    ? ([] as unknown[]).concat(first)
    : [inferMessageClass(site, fail, withClassPlaceholder(declaration, fixPrefix))];
  if (messageClasses.length === 0) fail('the array of message classes is empty');
  for (const cls of messageClasses) {
    if (typeof cls !== 'function' || typeof (cls as { prototype?: unknown }).prototype !== 'object') {
      fail(`${describeValue(cls)} is not a class; pass message classes such as MyMessage or String`);
    }
  }
  return {
    propertyKey: site.propertyKey,
    messageClasses: messageClasses as MessageClass[],
    kind: declaration.kind,
    match: match as HandlerSpec['match'],
    interleave: interleave ?? false,
    privateMethod: site.privateMethod,
    order: nextHandlerOrder(),
  };
}

function inferMessageClass(site: HandlerSite, fail: (problem: string) => never, fix: string): unknown {
  if (site.noParameterTypes !== undefined) {
    return fail(`${site.noParameterTypes}, so the message class cannot be learned; name it: ${fix}`);
  }
  const parameterTypes = site.parameterTypes();
  if (!Array.isArray(parameterTypes)) {
    return fail(
      'there is no parameter type metadata (design:paramtypes) to learn the message class from: ' +
        'emitDecoratorMetadata is off, or the compiler (tsx, esbuild, swc, Bun) never emits it; ' +
        `name the message class: ${fix}`,
    );
  }
  const first: unknown = parameterTypes[0];
  if (typeof first !== 'function' || first === Object) {
    return fail(
      `cannot learn the message class from the first parameter (its runtime type is ${first === Object ? 'Object' : describeValue(first)}: ` +
        'interfaces, unions, type aliases, unknown and classes declared later in the file all erase to that); ' +
        `name the message class: ${fix}`,
    );
  }
  return first;
}

/** The parameter types TypeScript recorded for `target[propertyKey]` (legacy decorators only). */
export function recordedParameterTypes(target: object, propertyKey: string | symbol): unknown {
  return Reflect.getMetadata('design:paramtypes', target, propertyKey);
}
