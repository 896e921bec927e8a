import { describe, expect, it } from 'vitest';
import { DeserializationError, SerializationError } from './errors.js';
import { JsonMessageSerializer } from './json-message-serializer.js';
import { JSON_DATA_CONTENT_TYPE } from './message-serializer.js';
import { utf8 } from './test-utils/messages.js';

describe('JsonMessageSerializer', () => {
  it('files JSON values under the type name it is given', () => {
    const serializer = new JsonMessageSerializer('Object');
    expect(serializer.typeName).toBe('Object');
    expect(serializer.dataContentType).toBe(JSON_DATA_CONTENT_TYPE);
    expect(new TextDecoder().decode(serializer.serialize({ a: [1, 'two', null] }))).toBe('{"a":[1,"two",null]}');
  });

  it('needs a non-empty type name', () => {
    expect(() => new JsonMessageSerializer('')).toThrow(/non-empty type name, got ""/);
    expect(() => new JsonMessageSerializer(undefined as unknown as string)).toThrow(/got undefined/);
  });

  it('throws SerializationError for values without a JSON form', () => {
    const serializer = new JsonMessageSerializer('Thing');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => serializer.serialize(cyclic)).toThrow(SerializationError);
    expect(() => serializer.serialize(cyclic)).toThrow(/"Thing": the value is not JSON-serializable/);
    expect(() => serializer.serialize(undefined)).toThrow(/a value of type undefined has no JSON representation/);
    expect(() => serializer.serialize(() => 1)).toThrow(SerializationError);
  });

  it('refuses malformed and hostile payloads', () => {
    const serializer = new JsonMessageSerializer('Thing');
    for (const payload of [utf8('{"a": '), new Uint8Array([0xc3, 0x28]), utf8('[{"x": {"__proto__": {"polluted": 1}}}]')]) {
      expect(() => serializer.deserialize(payload)).toThrow(DeserializationError);
    }
    expect(() => serializer.deserialize(utf8('[{"x": {"__proto__": {}}}]'))).toThrow('forbidden key "__proto__" at $[0].x');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
