import { DeserializationError, reasonOf, SerializationError, UnknownSerializerError } from './errors.js';
import { JSON_DATA_CONTENT_TYPE, type MessageSerializer } from './message-serializer.js';
import type { SerializationRegistry, SerializeOptions } from './serialization-registry.js';
import { typeNameOf } from './type-name-of.js';

/**
 * The in-memory `SerializationRegistry`: serializers keyed by type name, then content type.
 * Exported from the package also as the value `SerializationRegistry`, so `new SerializationRegistry()` works.
 */
export class DefaultSerializationRegistry implements SerializationRegistry {
  readonly #serializers = new Map<string, Map<string, MessageSerializer>>();

  /**
   * Adds one serializer or several. A serializer for a (type name, content type) pair already
   * registered replaces the earlier one, so an application can override a library's default.
   * Throws `TypeError` (and adds none of them) if any is not a serializer.
   */
  addSerializer(serializer: MessageSerializer | readonly MessageSerializer[]): void {
    const serializers: readonly MessageSerializer[] = isList(serializer) ? serializer : [serializer];
    serializers.forEach(assertSerializer);
    for (const added of serializers) {
      let byContentType = this.#serializers.get(added.typeName);
      if (byContentType === undefined) {
        byContentType = new Map();
        this.#serializers.set(added.typeName, byContentType);
      }
      byContentType.set(added.dataContentType, added);
    }
  }

  /**
   * Throws `UnknownSerializerError` when no serializer is registered for the pair, and
   * `SerializationError` (the serializer's own failure as `cause`) when it fails.
   */
  serialize(message: unknown, options: SerializeOptions): Uint8Array {
    const serializer = this.#find(options);
    return rethrowAs(SerializationError, options.typeName, () => serializer.serialize(message));
  }

  /**
   * Throws `UnknownSerializerError` when no serializer is registered for the pair, and
   * `DeserializationError` (the serializer's own failure as `cause`) when it fails.
   */
  deserialize(payload: Uint8Array, options: SerializeOptions): unknown {
    const serializer = this.#find(options);
    return rethrowAs(DeserializationError, options.typeName, () => serializer.deserialize(payload));
  }

  isRegistered(typeName: string, dataContentType: string = JSON_DATA_CONTENT_TYPE): boolean {
    return this.#serializers.get(typeName)?.has(dataContentType) ?? false;
  }

  contentTypes(typeName: string): readonly string[] {
    return [...(this.#serializers.get(typeName)?.keys() ?? [])];
  }

  /**
   * `message.constructor.name`: `Object` for `{}` and for objects without a named
   * constructor, `Array` for arrays, the wrapper's name for primitives (`'x'` gives `String`);
   * `'null'` and `'undefined'` for the two values that have no constructor.
   */
  typeName(message: unknown): string {
    // As `m.constructor.name` would say: primitives give their wrapper's name ('x' -> String).
    const name = typeNameOf(message);
    return PRIMITIVE_WRAPPERS[name] ?? name;
  }

  #find({ typeName, dataContentType }: SerializeOptions): MessageSerializer {
    const byContentType = this.#serializers.get(typeName);
    const serializer = byContentType?.get(dataContentType);
    if (serializer === undefined) {
      throw new UnknownSerializerError(typeName, dataContentType, [...(byContentType?.keys() ?? [])]);
    }
    return serializer;
  }
}

/** Runs a serializer, turning any other failure into `errorClass` with the failure as `cause`. */
function rethrowAs<R>(
  errorClass: typeof SerializationError | typeof DeserializationError,
  typeName: string,
  action: () => R,
): R {
  try {
    return action();
  } catch (error) {
    if (error instanceof errorClass) throw error;
    throw new errorClass(typeName, reasonOf(error), { cause: error });
  }
}

function isList(value: MessageSerializer | readonly MessageSerializer[]): value is readonly MessageSerializer[] {
  return Array.isArray(value);
}

function assertSerializer(candidate: MessageSerializer): void {
  const problem = problemWith(candidate);
  if (problem !== undefined) throw new TypeError(`addSerializer expects a MessageSerializer: ${problem}`);
}

function problemWith(candidate: unknown): string | undefined {
  if (typeof candidate !== 'object' || candidate === null) return `got ${typeNameOf(candidate)}`;
  const { typeName, dataContentType, serialize, deserialize } = candidate as Partial<MessageSerializer>;
  if (typeof typeName !== 'string' || typeName === '') {
    return `its typeName must be a non-empty string, got ${describeName(typeName)}`;
  }
  if (typeof dataContentType !== 'string' || dataContentType === '') {
    return `its dataContentType must be a non-empty string, got ${describeName(dataContentType)}`;
  }
  if (typeof serialize !== 'function' || typeof deserialize !== 'function') {
    return `${typeNameOf(candidate)} for type ${JSON.stringify(typeName)} lacks serialize() or deserialize()`;
  }
  return undefined;
}

function describeName(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeNameOf(value);
}

const PRIMITIVE_WRAPPERS: Readonly<Record<string, string>> = {
  string: 'String',
  number: 'Number',
  boolean: 'Boolean',
  bigint: 'BigInt',
  symbol: 'Symbol',
};
