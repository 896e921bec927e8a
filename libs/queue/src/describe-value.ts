/** Formats a value for an error message: strings quoted, so `"3"` is told apart from `3`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  try {
    return String(value);
  } catch {
    // Objects with a null prototype or a throwing toString still deserve a readable message.
    return Object.prototype.toString.call(value);
  }
}
