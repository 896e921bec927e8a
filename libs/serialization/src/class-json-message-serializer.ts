// class-transformer's `@Type` reads `design:type` through `Reflect.getMetadata` when a class is defined.
import 'reflect-metadata';
import { instanceToPlain, plainToInstance, type ClassTransformOptions } from 'class-transformer';
import { DeserializationError, reasonOf, SerializationError } from './errors.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { JSON_DATA_CONTENT_TYPE, type MessageSerializer } from './message-serializer.js';
import { typeNameOf } from './type-name-of.js';

/**
 * A message class. class-transformer rebuilds instances with `new cls()` and then assigns the
 * fields, so the constructor must work without arguments.
 */
export type SerializableClass<T extends object> = new (...args: never[]) => T;

export interface ClassJsonMessageSerializerOptions {
  /**
   * Passed to both `instanceToPlain` and `plainToInstance`, e.g. `{ excludeExtraneousValues: true }`
   * (with `@Expose`) to drop payload fields the class does not declare.
   */
  readonly transformOptions?: ClassTransformOptions;
}

/**
 * Serializes instances of one class as UTF-8 JSON with class-transformer, so nested classes, arrays
 * of them and `Date`s round-trip when their properties carry `@Type(() => Inner)`.
 *
 * Payloads are untrusted: keys `__proto__`, `constructor` and `prototype` anywhere in them are refused
 * with a `DeserializationError` before any object is built.
 */
export class ClassJsonMessageSerializer<T extends object> implements MessageSerializer<T> {
  readonly dataContentType = JSON_DATA_CONTENT_TYPE;
  /** `cls.name`, the name `SerializationRegistry.typeName()` gives the class's instances. */
  readonly typeName: string;
  readonly #cls: SerializableClass<T>;
  readonly #transformOptions: ClassTransformOptions | undefined;

  constructor(cls: SerializableClass<T>, options: ClassJsonMessageSerializerOptions = {}) {
    if (typeof cls !== 'function' || cls.name === '') {
      throw new TypeError(
        `ClassJsonMessageSerializer needs a named class, got ${typeof cls === 'function' ? 'an anonymous class' : typeNameOf(cls)}`,
      );
    }
    this.#cls = cls;
    this.typeName = cls.name;
    this.#transformOptions = options.transformOptions;
  }

  /** Throws `SerializationError` if `message` is not an instance of the class, or cannot be encoded. */
  serialize(message: T): Uint8Array {
    if (!(message instanceof this.#cls)) {
      throw new SerializationError(this.typeName, `expected an instance of ${this.typeName}, got ${typeNameOf(message)}`);
    }
    let plain: Record<string, unknown>;
    try {
      plain = instanceToPlain(message, this.#transformOptions);
    } catch (error) {
      throw new SerializationError(this.typeName, reasonOf(error), { cause: error });
    }
    return encodeJson(plain, this.typeName);
  }

  /** Throws `DeserializationError` on bytes that are not UTF-8 JSON of an object, or that carry prototype keys. */
  deserialize(payload: Uint8Array): T {
    const plain = decodeJson(payload, this.typeName);
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
      throw new DeserializationError(this.typeName, `expected a JSON object, got ${typeNameOf(plain)}`);
    }
    try {
      // class-transformer types classes as `new (...args: any[])`; it calls `new cls()`, as SerializableClass documents.
      return plainToInstance(this.#cls as unknown as new () => T, plain, this.#transformOptions);
    } catch (error) {
      throw new DeserializationError(this.typeName, reasonOf(error), { cause: error });
    }
  }
}
