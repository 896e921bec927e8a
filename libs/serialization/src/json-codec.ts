import { DeserializationError, reasonOf, SerializationError } from './errors.js';
import { typeNameOf } from './type-name-of.js';

const encoder = new TextEncoder();
// `fatal`: bad bytes are an error, not silently replaced by U+FFFD.
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Keys that reach an object's prototype when a parsed payload is later assigned or merged into
 * another object (class-transformer guesses a target type from `value.constructor`, for one).
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `JSON.stringify` then UTF-8; failures become `SerializationError` naming `typeName`. */
export function encodeJson(value: unknown, typeName: string): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new SerializationError(typeName, `the value is not JSON-serializable: ${reasonOf(error)}`, { cause: error });
  }
  if (text === undefined) {
    throw new SerializationError(typeName, `a value of type ${typeNameOf(value)} has no JSON representation`);
  }
  return encoder.encode(text);
}

/**
 * Strict UTF-8 decode then `JSON.parse`, rejecting prototype-pollution keys at any depth. Every
 * failure is a `DeserializationError` naming `typeName`.
 */
export function decodeJson(payload: Uint8Array, typeName: string): unknown {
  if (!ArrayBuffer.isView(payload)) {
    throw new DeserializationError(typeName, `expected the payload as a Uint8Array, got ${typeNameOf(payload)}`);
  }
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch (error) {
    throw new DeserializationError(typeName, 'the payload is not valid UTF-8', { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the payload, which may be private: it stays in `cause` only.
    throw new DeserializationError(typeName, 'the payload is not valid JSON', { cause: error });
  }
  assertNoForbiddenKeys(value, typeName);
  return value;
}

interface PendingNode {
  readonly value: unknown;
  readonly key: string;
  readonly parent: PendingNode | undefined;
}

// Iterative, so a deeply nested payload cannot overflow the stack here.
function assertNoForbiddenKeys(root: unknown, typeName: string): void {
  const pending: PendingNode[] = [{ value: root, key: '$', parent: undefined }];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const { value } = node;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new DeserializationError(
          typeName,
          `the payload contains the forbidden key ${JSON.stringify(key)} at ${pathOf(node)}` +
            ' (refused: it could pollute object prototypes)',
        );
      }
      pending.push({ value: (value as Record<string, unknown>)[key], key, parent: node });
    }
  }
}

/** `$.a.b[0]`-style path of the object holding the forbidden key, built only when needed. */
function pathOf(node: PendingNode): string {
  const keys: string[] = [];
  for (let at: PendingNode | undefined = node; at !== undefined; at = at.parent) keys.push(at.key);
  return keys
    .reverse()
    .map((key, index) => (index === 0 ? key : /^\d+$/.test(key) ? `[${key}]` : `.${key}`))
    .join('');
}
