import { DefaultSerializationRegistry } from './default-serialization-registry.js';
import type { MessageSerializer } from './message-serializer.js';

/** Which serializer to use: the pair a `MessageSerializer` is registered under. */
export interface SerializeOptions {
  readonly typeName: string;
  readonly dataContentType: string;
}

/**
 * Finds the serializer for a (type name, content type) pair. The package exports a same-named value,
 * the default implementation, so `new SerializationRegistry()` works.
 */
export interface SerializationRegistry {
  /** Adds one serializer or several; one for an already registered pair replaces the earlier one. */
  addSerializer(serializer: MessageSerializer | readonly MessageSerializer[]): void;
  /**
   * Throws `UnknownSerializerError` naming the type and content type when none is registered, and
   * `SerializationError` when the serializer fails.
   */
  serialize(message: unknown, options: SerializeOptions): Uint8Array;
  /**
   * Throws `UnknownSerializerError` naming the type and content type when none is registered, and
   * `DeserializationError` when the payload is malformed or hostile.
   */
  deserialize(payload: Uint8Array, options: SerializeOptions): unknown;
  /** Whether a serializer is registered for the pair; the content type defaults to JSON. */
  isRegistered(typeName: string, dataContentType?: string): boolean;
  /**
   * The content types serializers are registered for under `typeName`, in registration order
   * (empty for an unknown type): an engine putting a message on a wire picks one of them.
   */
  contentTypes(typeName: string): readonly string[];
  /**
   * The type name of `message`: `message.constructor.name` for objects; the default implementation
   * gives primitives their `typeof` and null `'null'`.
   */
  typeName(message: unknown): string;
}

/** The default registry under the interface's name, so `new SerializationRegistry()` works as in the seed. */
export const SerializationRegistry = DefaultSerializationRegistry;
