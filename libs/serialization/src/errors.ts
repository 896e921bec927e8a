/** Formats a type name or content type for an error message, quoted so empty or odd names stay visible. */
function quote(name: string): string {
  return JSON.stringify(name);
}

/**
 * Base of the errors this package throws about a message type: catch it to handle "could not
 * (de)serialize" as one case, as the seed engine's `_try_serialize` does.
 */
export class MessageCodecError extends Error {
  // Literals, not the class name: minifiers rename classes.
  override readonly name: string = 'MessageCodecError';
  /** A stable identifier of the kind of failure; never renamed. */
  readonly code: string = 'MESSAGE_CODEC';

  constructor(
    readonly typeName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** No serializer is registered for the requested (type name, content type) pair. */
export class UnknownSerializerError extends MessageCodecError {
  override readonly name: string = 'UnknownSerializerError';
  override readonly code: string = 'UNKNOWN_SERIALIZER';
  /** Content types registered for `typeName`; empty when the type name itself is unknown. */
  readonly registeredContentTypes: readonly string[];

  constructor(
    typeName: string,
    readonly dataContentType: string,
    registeredContentTypes: readonly string[] = [],
  ) {
    const registered =
      registeredContentTypes.length === 0
        ? `no serializer is registered for type ${quote(typeName)}`
        : `type ${quote(typeName)} is registered only for ${registeredContentTypes.map(quote).join(', ')}`;
    super(typeName, `No serializer for type ${quote(typeName)} with content type ${quote(dataContentType)}: ${registered}`);
    this.registeredContentTypes = [...registeredContentTypes];
  }
}

/** A serializer could not turn a message into bytes; `cause` holds the underlying failure, if any. */
export class SerializationError extends MessageCodecError {
  override readonly name: string = 'SerializationError';
  override readonly code: string = 'SERIALIZATION';

  constructor(typeName: string, reason: string, options?: ErrorOptions) {
    super(typeName, `Cannot serialize a message as type ${quote(typeName)}: ${reason}`, options);
  }
}

/**
 * A payload could not be turned back into a message: bytes that are not UTF-8, text that is not
 * JSON, JSON of the wrong shape, or a hostile payload (prototype-pollution keys).
 */
export class DeserializationError extends MessageCodecError {
  override readonly name: string = 'DeserializationError';
  override readonly code: string = 'DESERIALIZATION';

  constructor(typeName: string, reason: string, options?: ErrorOptions) {
    super(typeName, `Cannot deserialize a payload as type ${quote(typeName)}: ${reason}`, options);
  }
}

/** The message of a caught value, which need not be an `Error`. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
