import 'reflect-metadata';
import { instanceToPlain } from 'class-transformer';
import { reasonOf, SerializationError } from './errors.js';
import { encodeJson } from './json-codec.js';

/**
 * A value as JSON, written as `ClassJsonMessageSerializer` would write it for the value's class
 * (class-transformer honours the class's `@Type`, `@Exclude`, … decorators), for a class with no
 * serializer registered: a sender that only sends a class lets the receiver, which registered
 * the class, rebuild the instance. Throws `SerializationError` naming `typeName` for a value that
 * has no JSON form (a function, a symbol, a `BigInt`, a cycle).
 */
export function instanceToJson(value: unknown, typeName: string): Uint8Array {
  let plain: unknown = value;
  if (typeof value === 'object' && value !== null) {
    try {
      plain = instanceToPlain(value);
    } catch (error) {
      throw new SerializationError(typeName, reasonOf(error), { cause: error });
    }
  }
  return encodeJson(plain, typeName);
}
