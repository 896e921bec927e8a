import { DefaultSerializationRegistry } from './default-serialization-registry.js';
import type { SerializationRegistry as SerializationRegistryContract } from './serialization-registry.js';

export { JSON_DATA_CONTENT_TYPE } from './message-serializer.js';
export type { MessageSerializer } from './message-serializer.js';
export type { SerializeOptions } from './serialization-registry.js';
export { DefaultSerializationRegistry } from './default-serialization-registry.js';
export { ClassJsonMessageSerializer } from './class-json-message-serializer.js';
export type { ClassJsonMessageSerializerOptions, SerializableClass } from './class-json-message-serializer.js';
export { JsonMessageSerializer } from './json-message-serializer.js';
export { UnknownPayload } from './unknown-payload.js';
export { DeserializationError, MessageCodecError, SerializationError, UnknownSerializerError } from './errors.js';

/** Finds the serializer for a (type name, content type) pair; implement it to swap the registry. */
export type SerializationRegistry = SerializationRegistryContract;
/** The default registry under the interface's name, so `new SerializationRegistry()` works as in the seed. */
export const SerializationRegistry = DefaultSerializationRegistry;
