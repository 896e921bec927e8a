import type { MessageSerializer } from './message-serializer.js';

export interface SerializeOptions {
  readonly typeName: string;
  readonly dataContentType: string;
}

/** Finds the serializer for a (type name, content type) pair. */
export interface SerializationRegistry {
  addSerializer(serializer: MessageSerializer | readonly MessageSerializer[]): void;
  /** Throws `UnknownSerializerError` naming the type and content type when none is registered. */
  serialize(message: unknown, options: SerializeOptions): Uint8Array;
  deserialize(payload: Uint8Array, options: SerializeOptions): unknown;
  isRegistered(typeName: string, dataContentType?: string): boolean;
  /** The type name of `message`: `message.constructor.name`. */
  typeName(message: unknown): string;
}
