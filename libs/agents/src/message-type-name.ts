/** The name error messages use for a message's type: its class name, or `typeof` for the rest. */
export function messageTypeName(message: unknown): string {
  if (message === null) return 'null';
  if (typeof message !== 'object' && typeof message !== 'function') return typeof message;
  const prototype: unknown = Object.getPrototypeOf(message);
  if (prototype === null) return 'Object (null prototype)';
  const ctor = (prototype as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'Object';
}
