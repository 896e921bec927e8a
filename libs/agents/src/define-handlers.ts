import { describeValue, type AgentClass } from '@agentopera/types';
import { HandlerDefinitionError } from './errors.js';
import { specFor, writtenForm } from './handler-declaration.js';
import { addPrototypeHandler } from './handler-registry.js';
import { declarationOf } from './message-handlers.js';
import type { HandlerMethodCheck } from './handler-types.js';
import type { RoutedAgent } from './routed-agent.js';
import { hasRouteTable } from './route-table.js';

/** A declaration such as `rpc(Foo)` that accepts a method of type `F`. */
export type HandlerFor<F> = HandlerMethodCheck<F> & ((...args: never[]) => unknown);

/**
 * Which handler declarations apply to which method of agent `A`: `{ onTask: rpc(Task) }`. Several
 * for one method go in an array. TypeScript checks each method against its declarations.
 */
export type HandlerTable<A> = {
  readonly [K in keyof A]?: HandlerFor<A[K]> | readonly HandlerFor<A[K]>[];
};

/**
 * Declares the handlers of a `RoutedAgent` class without decorators, for plain JavaScript (or
 * TypeScript without decorators). Each entry is what the decorator would say, keyed by method:
 *
 * ```js
 * class Greeter extends RoutedAgent {
 *   async onTask(task) { return task.text.toUpperCase(); }
 *   async onNote(note) { console.log(note.text); }
 * }
 * defineHandlers(Greeter, { onTask: rpc(Task), onNote: event(Note, { match: (n) => n.text !== '' }) });
 * ```
 *
 * Handlers are routed in the order the table lists them, after any the class declares with
 * decorators. Name the message class in each declaration (there are no parameter types without
 * decorator metadata). Call it once, right after the class definition, before the class handles
 * its first message. Returns `agentClass`.
 */
export function defineHandlers<C extends AgentClass<RoutedAgent>>(agentClass: C, handlers: HandlerTable<InstanceType<C>>): C {
  if (typeof agentClass !== 'function' || typeof agentClass.prototype !== 'object') {
    throw new TypeError(`defineHandlers needs a RoutedAgent class, got ${describeValue(agentClass)}`);
  }
  const className = agentClass.name || '<anonymous class>';
  if (typeof handlers !== 'object' || handlers === null) {
    throw new TypeError(`defineHandlers(${className}, handlers) needs an object { method: rpc(MyMessage), … }, got ${describeValue(handlers)}`);
  }
  if (hasRouteTable(agentClass)) {
    throw new HandlerDefinitionError(
      `defineHandlers(${className}) was called after ${className} handled messages; call it right after the class definition`,
    );
  }
  const prototype = agentClass.prototype as Record<string | symbol, unknown>;
  for (const propertyKey of Reflect.ownKeys(handlers)) {
    const entry: unknown = (handlers as Record<string | symbol, unknown>)[propertyKey];
    const method = `${className}.${String(propertyKey)}`;
    for (const declared of Array.isArray(entry) ? entry : [entry]) {
      const declaration = declarationOf(declared);
      if (declaration === undefined) {
        throw new HandlerDefinitionError(
          `defineHandlers(${className}): ${String(propertyKey)} needs a declaration such as rpc(MyMessage), ` +
            `event(MyMessage) or messageHandler(MyMessage), got ${describeValue(declared)}`,
        );
      }
      const written = writtenForm(declaration);
      if (typeof prototype[propertyKey] !== 'function') {
        throw new HandlerDefinitionError(`${written} on ${method}: ${className} has no method ${String(propertyKey)}`);
      }
      const spec = specFor(
        declaration,
        {
          written,
          method,
          propertyKey,
          parameterTypes: () => undefined,
          noParameterTypes: 'without decorators there are no parameter types',
        },
        '',
      );
      addPrototypeHandler(prototype, spec);
    }
  }
  return agentClass;
}
