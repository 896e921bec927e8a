import type { MessageContext, ResponseOf } from '@agentopera/types';
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
  /**
   * The handler may run while another handler of the same agent is running, even in a serial
   * (turn-based) agent: for read-only queries that must not wait for a turn in progress.
   */
  interleave?: boolean;
}

/** Which deliveries a handler accepts: any, published only (`event`) or `sendMessage` only (`rpc`). */
export type HandlerKind = 'any' | 'event' | 'rpc';

/** The shape of a handler method: `async name(message: M, ctx: MessageContext)` returning `R`. */
export type HandlerMethod<M, R = unknown> = (message: M, ctx: MessageContext) => R | PromiseLike<R>;

/**
 * What a handler of messages `M` must return: the response type every class in `M` declares
 * (`[ResponseType]`), so a handler of several classes satisfies each; `unknown` when none declares.
 */
export type HandlerResponse<M> = [M] extends [never]
  ? unknown
  : (M extends unknown ? (response: ResponseOf<M>) => void : never) extends (response: infer R) => void
    ? R
    : never;

/** The response a handler of kind `K` for messages `M` must return (published-only handlers: anything). */
type KindResponse<K extends HandlerKind, M> = K extends 'event' ? unknown : HandlerResponse<M>;

type FirstParameter<F> = F extends (message: infer P, ...rest: never[]) => unknown ? P : never;

// Type-only key of the phantom member that lets `defineHandlers` check a method against a declaration.
declare const handlerMethod: unique symbol;

/** The method type a declaration accepts (phantom: never present at run time). */
export interface HandlerMethodCheck<F> {
  readonly [handlerMethod]?: (method: F) => void;
}

/**
 * A method decorator for `RoutedAgent` handlers of messages `M` returning `R`. One value, typed
 * for both decorator flavours: TypeScript's `experimentalDecorators` (target, key, descriptor) and
 * standard decorators (method, context).
 */
export interface HandlerDecorator<M, R = HandlerResponse<M>> extends HandlerMethodCheck<HandlerMethod<M, R>> {
  <F extends HandlerMethod<M, R>>(target: RoutedAgent, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<F>): void;
  <This extends RoutedAgent, F extends HandlerMethod<M, R>>(method: F, context: ClassMethodDecoratorContext<This>): void;
}

/**
 * Standard decorators see no parameter types, so the forms that name no class cannot work there;
 * this parameter type makes TypeScript say so at the decorator.
 */
export interface NameTheMessageClass {
  readonly 'standard decorators carry no parameter types: name the message class, e.g. @rpc(MyMessage)': never;
}

/**
 * The decorator of the forms that name no class (`@rpc()`, `@rpc({ match })`): the class is the
 * type of the method's first parameter, read from `design:paramtypes` (`experimentalDecorators`
 * with `emitDecoratorMetadata` only).
 */
export interface InferredHandlerDecorator<K extends HandlerKind = 'any'> extends HandlerMethodCheck<HandlerMethod<never>> {
  <F extends HandlerMethod<never, KindResponse<K, FirstParameter<F>>>>(
    target: RoutedAgent,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void;
  (method: HandlerMethod<never>, context: NameTheMessageClass): void;
}

/** The forms of `@messageHandler`, `@event` and `@rpc`. */
export interface HandlerDecoratorFactory<K extends HandlerKind = 'any'> {
  /** Handles instances of `messageClass` (`String`, `Number`, `Boolean` match primitives). */
  <C extends MessageClass>(
    messageClass: C,
    options?: HandlerOptions<MessageOf<C>>,
  ): HandlerDecorator<MessageOf<C>, KindResponse<K, MessageOf<C>>>;
  /** Handles instances of any of `messageClasses`. */
  <const C extends readonly MessageClass[]>(
    messageClasses: C,
    options?: HandlerOptions<MessageOf<C[number]>>,
  ): HandlerDecorator<MessageOf<C[number]>, KindResponse<K, MessageOf<C[number]>>>;
  /** Handles the class of the method's first parameter (needs `emitDecoratorMetadata`). */
  (): InferredHandlerDecorator<K>;
  /** As `()`, with options. */
  <M = unknown>(options: HandlerOptions<M>): InferredHandlerDecorator<K>;
}
