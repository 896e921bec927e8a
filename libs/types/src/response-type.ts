/**
 * The key under which a message class declares, once, the type its handler returns:
 *
 * ```ts
 * class Task {
 *   declare readonly [ResponseType]?: string;
 *   constructor(readonly text: string) {}
 * }
 * const answer = await engine.sendMessage(new Task('x'), id); // string
 * ```
 *
 * The member is a type-only declaration (`declare`, optional): it adds nothing at run time. A
 * symbol, so it can never collide with a message's own fields.
 */
export const ResponseType: unique symbol = Symbol.for('agentopera.ResponseType');

/** The response type message `M` declares under `[ResponseType]`; `unknown` when it declares none. */
export type ResponseOf<M> = M extends { readonly [ResponseType]?: infer R } ? R : unknown;

// A type no caller can name, standing for "no type argument was given" in `sendMessage`.
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- exists only for its type
declare const inferResponse: unique symbol;

/**
 * The default of `sendMessage`'s result type parameter: the result is then inferred from the
 * message's declared `[ResponseType]`.
 */
export type InferResponse = typeof inferResponse;

/**
 * An object declaring response type `R`; interfaces can extend it
 * (`interface Ask extends DeclaresResponse<string> { … }`), classes write the member themselves.
 */
// eslint-disable-next-line @typescript-eslint/no-wrapper-object-types -- Object's members (toString, …) keep this from being a weak, all-optional type, which TypeScript would refuse for classes that declare nothing
export interface DeclaresResponse<R> extends Object {
  readonly [ResponseType]?: R;
}

/**
 * A message that may be sent with an explicit result type `R`: one that declares no response
 * type, or declares `R`. (A fresh object literal is accepted with any extra fields.)
 */
export type MessageWithResponse<R> =
  | (Readonly<Record<string, unknown>> & { readonly [ResponseType]?: R })
  | DeclaresResponse<R>
  | null
  | undefined;

/** What `sendMessage<R, M>` accepts as message: anything when `R` is inferred, else {@link MessageWithResponse}. */
export type SendableMessage<R> = [R] extends [InferResponse] ? unknown : MessageWithResponse<R>;

/** What `sendMessage<R, M>` resolves to: `R` when given, else the response `M` declares. */
export type SendMessageResult<R, M> = [R] extends [InferResponse] ? ResponseOf<M> : R;

/**
 * The static key under which a message class names, at run time, the class of its response, so an
 * engine whose replies cross processes can hand the caller an instance of it (the `[ResponseType]`
 * member only exists for the compiler):
 *
 * ```ts
 * class Ask {
 *   declare readonly [ResponseType]?: Answer;
 *   static readonly [ResponseClass] = Answer;
 * }
 * ```
 */
export const ResponseClass: unique symbol = Symbol.for('agentopera.ResponseClass');

/** A class whose instances a response can be rebuilt as (its constructor must work without arguments). */
export type ResponseClassOf = new () => object;

/** The response class `message`'s class declares under `[ResponseClass]`, if any. */
export function responseClassOf(message: unknown): ResponseClassOf | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const prototype = Object.getPrototypeOf(message) as { constructor?: unknown } | null;
  const ctor = prototype?.constructor;
  if (typeof ctor !== 'function') return undefined;
  const declared: unknown = (ctor as { [ResponseClass]?: unknown })[ResponseClass];
  return typeof declared === 'function' ? (declared as ResponseClassOf) : undefined;
}
