import { decodeJson, encodeJson } from './json-codec.js';
import { JSON_DATA_CONTENT_TYPE, type MessageSerializer } from './message-serializer.js';
import { typeNameOf } from './type-name-of.js';

/**
 * Serializes plain JSON values (objects, arrays, strings, numbers, booleans, null) as UTF-8 JSON
 * under a type name of your choosing, e.g. `'Object'` for object literals or `'string'` (see
 * `SerializationRegistry.typeName`). Values round-trip as `JSON.stringify` leaves them: `Date`s
 * become strings, `undefined` fields vanish. `deserialize` does not check the shape against `T`;
 * it only refuses malformed payloads and prototype-pollution keys, with `DeserializationError`.
 */
export class JsonMessageSerializer<T = unknown> implements MessageSerializer<T> {
  readonly dataContentType = JSON_DATA_CONTENT_TYPE;

  constructor(readonly typeName: string) {
    if (typeof typeName !== 'string' || typeName === '') {
      throw new TypeError(`JsonMessageSerializer needs a non-empty type name, got ${typeof typeName === 'string' ? '""' : typeNameOf(typeName)}`);
    }
  }

  serialize(message: T): Uint8Array {
    return encodeJson(message, this.typeName);
  }

  deserialize(payload: Uint8Array): T {
    return decodeJson(payload, this.typeName) as T;
  }
}
