import { describe, expect, it } from 'vitest';
import { JSON_DATA_CONTENT_TYPE } from './message-serializer.js';
import { UnknownPayload } from './unknown-payload.js';

describe('UnknownPayload', () => {
  it('keeps the type name, content type and bytes as received', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const unknown = new UnknownPayload('Ghost', JSON_DATA_CONTENT_TYPE, bytes);
    expect(unknown).toMatchObject({ typeName: 'Ghost', dataContentType: 'application/json' });
    expect(unknown.payload).toBe(bytes);
  });

  it('describes itself without dumping the bytes', () => {
    expect(String(new UnknownPayload('Ghost', 'application/json', new Uint8Array([123, 125])))).toBe(
      'UnknownPayload(typeName="Ghost", dataContentType="application/json", 2 bytes)',
    );
    expect(`${new UnknownPayload('', 'text/plain', new Uint8Array(1))}`).toBe('UnknownPayload(typeName="", dataContentType="text/plain", 1 byte)');
  });
});
