/**
 * The name the registry files a message under. Objects (arrays and functions included) give their
 * constructor's name: `Foo` for `new Foo()`, `Object` for `{}`, `Array` for `[]`; objects without a
 * named constructor (`Object.create(null)`, instances of anonymous classes) give `Object`.
 * Primitives give their `typeof` (`string`, `number`, `boolean`, `bigint`, `symbol`, `undefined`)
 * and `null` gives `null`: lower case, so they never collide with a class name such as `String`.
 */
export function typeNameOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  // The prototype's constructor, not `value.constructor`: a payload may carry an own `constructor` key.
  const prototype = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  const constructor = prototype?.constructor;
  const name: unknown = typeof constructor === 'function' ? constructor.name : undefined;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}
