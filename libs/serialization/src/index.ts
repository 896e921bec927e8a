export { JSON_DATA_CONTENT_TYPE } from './message-serializer.js';
export type { MessageSerializer } from './message-serializer.js';
export { SerializationRegistry, type SerializeOptions } from './serialization-registry.js';
export { DefaultSerializationRegistry } from './default-serialization-registry.js';
export { ClassJsonMessageSerializer } from './class-json-message-serializer.js';
export type { ClassJsonMessageSerializerOptions, SerializableClass } from './class-json-message-serializer.js';
export { JsonMessageSerializer } from './json-message-serializer.js';
export { UnknownPayload } from './unknown-payload.js';
export { DeserializationError, MessageCodecError, SerializationError, UnknownSerializerError } from './errors.js';
