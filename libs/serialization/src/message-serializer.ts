/** Turns messages of one type into bytes of one content type and back. */
export interface MessageSerializer<T = unknown> {
  /** MIME-like content type, e.g. `JSON_DATA_CONTENT_TYPE`. */
  readonly dataContentType: string;
  /** The type name the registry files this serializer under (`cls.name` for classes). */
  readonly typeName: string;
  serialize(message: T): Uint8Array;
  deserialize(payload: Uint8Array): T;
}

/** Content type of JSON payloads. */
export const JSON_DATA_CONTENT_TYPE = 'application/json';
