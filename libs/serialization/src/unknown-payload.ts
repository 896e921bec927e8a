/**
 * A payload kept as raw bytes because no serializer is registered for its type name and content
 * type: what a receiver gets instead of a message, so it can log, forward or drop it.
 */
export class UnknownPayload {
  constructor(
    readonly typeName: string,
    readonly dataContentType: string,
    /** The bytes as received; not copied. */
    readonly payload: Uint8Array,
  ) {}

  /** Names the type and content type and gives the size; never the bytes, which may be large or private. */
  toString(): string {
    const size = this.payload.byteLength;
    return `UnknownPayload(typeName=${JSON.stringify(this.typeName)}, dataContentType=${JSON.stringify(this.dataContentType)}, ${size} byte${size === 1 ? '' : 's'})`;
  }
}
