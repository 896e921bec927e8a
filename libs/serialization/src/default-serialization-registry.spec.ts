import { describe, expect, it } from 'vitest';
import { ClassJsonMessageSerializer } from './class-json-message-serializer.js';
import { DefaultSerializationRegistry } from './default-serialization-registry.js';
import { DeserializationError, MessageCodecError, SerializationError, UnknownSerializerError } from './errors.js';
import { JsonMessageSerializer } from './json-message-serializer.js';
import { JSON_DATA_CONTENT_TYPE, type MessageSerializer } from './message-serializer.js';
import { captureError } from './test-utils/capture-error.js';
import { Address, Person, utf8 } from './test-utils/messages.js';

const json = { typeName: 'Person', dataContentType: JSON_DATA_CONTENT_TYPE };

function fixedSerializer(typeName: string, dataContentType: string, bytes: Uint8Array): MessageSerializer<string> {
  return { typeName, dataContentType, serialize: () => bytes, deserialize: () => `from ${dataContentType}` };
}

function failingSerializer(failure: unknown): MessageSerializer {
  return {
    typeName: 'Flaky',
    dataContentType: JSON_DATA_CONTENT_TYPE,
    serialize: () => {
      throw failure;
    },
    deserialize: () => {
      throw failure;
    },
  };
}

describe('DefaultSerializationRegistry', () => {
  it('serializes and deserializes through the registered serializer', () => {
    const registry = new DefaultSerializationRegistry();
    registry.addSerializer(new ClassJsonMessageSerializer(Person));
    const person = Person.sample();
    const back = registry.deserialize(registry.serialize(person, { typeName: registry.typeName(person), dataContentType: JSON_DATA_CONTENT_TYPE }), json);
    expect(back).toStrictEqual(person);
  });

  it('accepts an array of serializers', () => {
    const registry = new DefaultSerializationRegistry();
    registry.addSerializer([new ClassJsonMessageSerializer(Person), new ClassJsonMessageSerializer(Address)]);
    expect(registry.isRegistered('Person')).toBe(true);
    expect(registry.isRegistered('Address')).toBe(true);
  });

  it('keeps one serializer per content type of a type name', () => {
    const registry = new DefaultSerializationRegistry();
    registry.addSerializer([fixedSerializer('Note', 'text/plain', utf8('a')), fixedSerializer('Note', 'application/x-b', utf8('b'))]);
    expect(registry.serialize('x', { typeName: 'Note', dataContentType: 'text/plain' })).toEqual(utf8('a'));
    expect(registry.serialize('x', { typeName: 'Note', dataContentType: 'application/x-b' })).toEqual(utf8('b'));
    expect(registry.deserialize(utf8(''), { typeName: 'Note', dataContentType: 'application/x-b' })).toBe('from application/x-b');
  });

  it('replaces the serializer of an already registered (type name, content type) pair', () => {
    const registry = new DefaultSerializationRegistry();
    registry.addSerializer(fixedSerializer('Note', 'text/plain', utf8('first')));
    registry.addSerializer(fixedSerializer('Note', 'text/plain', utf8('second')));
    expect(registry.serialize('x', { typeName: 'Note', dataContentType: 'text/plain' })).toEqual(utf8('second'));
  });

  it('reports what is registered, with JSON as the default content type', () => {
    const registry = new DefaultSerializationRegistry();
    expect(registry.isRegistered('Person')).toBe(false);
    registry.addSerializer(new ClassJsonMessageSerializer(Person));
    expect(registry.isRegistered('Person')).toBe(true);
    expect(registry.isRegistered('Person', JSON_DATA_CONTENT_TYPE)).toBe(true);
    expect(registry.isRegistered('Person', 'application/x-protobuf')).toBe(false);
    expect(registry.isRegistered('Address')).toBe(false);
  });

  it('throws UnknownSerializerError naming an unknown type name', () => {
    const registry = new DefaultSerializationRegistry();
    const unknown = { typeName: 'Ghost', dataContentType: JSON_DATA_CONTENT_TYPE };
    expect(() => registry.serialize({}, unknown)).toThrow(UnknownSerializerError);
    expect(() => registry.deserialize(utf8('{}'), unknown)).toThrow(
      'No serializer for type "Ghost" with content type "application/json": no serializer is registered for type "Ghost"',
    );
  });

  it('throws UnknownSerializerError listing the content types a known type has', () => {
    const registry = new DefaultSerializationRegistry();
    registry.addSerializer([new ClassJsonMessageSerializer(Person), fixedSerializer('Person', 'text/plain', utf8(''))]);
    const options = { typeName: 'Person', dataContentType: 'application/x-protobuf' };
    const error = captureError(() => registry.deserialize(utf8(''), options));
    expect(error).toBeInstanceOf(UnknownSerializerError);
    expect(error).toBeInstanceOf(MessageCodecError);
    expect(error).toMatchObject({
      name: 'UnknownSerializerError',
      typeName: 'Person',
      dataContentType: 'application/x-protobuf',
      registeredContentTypes: ['application/json', 'text/plain'],
    });
    expect((error as Error).message).toBe(
      'No serializer for type "Person" with content type "application/x-protobuf": type "Person" is registered only for "application/json", "text/plain"',
    );
    expect(() => registry.serialize(Person.sample(), options)).toThrow(UnknownSerializerError);
  });

  it("wraps a serializer's own failure, keeping it as the cause", () => {
    const registry = new DefaultSerializationRegistry();
    const failure = new RangeError('boom');
    registry.addSerializer(failingSerializer(failure));
    const options = { typeName: 'Flaky', dataContentType: JSON_DATA_CONTENT_TYPE };
    const serializeError = captureError(() => registry.serialize(1, options));
    expect(serializeError).toBeInstanceOf(SerializationError);
    expect(serializeError).toMatchObject({ typeName: 'Flaky', cause: failure, message: 'Cannot serialize a message as type "Flaky": boom' });
    const deserializeError = captureError(() => registry.deserialize(utf8('1'), options));
    expect(deserializeError).toBeInstanceOf(DeserializationError);
    expect([serializeError, deserializeError].every((error) => error instanceof MessageCodecError)).toBe(true);
    expect(serializeError).not.toBeInstanceOf(DeserializationError);
    expect(deserializeError).toMatchObject({ typeName: 'Flaky', cause: failure });
  });

  it('passes on serialization errors unwrapped', () => {
    const registry = new DefaultSerializationRegistry();
    registry.addSerializer(new ClassJsonMessageSerializer(Person));
    expect(captureError(() => registry.serialize(new Address(), json))).not.toHaveProperty('cause');
    expect(captureError(() => registry.deserialize(utf8('{'), json))).toMatchObject({ cause: expect.any(SyntaxError) });
    expect(captureError(() => registry.deserialize(utf8('{'), json))).toBeInstanceOf(DeserializationError);
  });

  it('refuses what is not a serializer, adding none of a batch', () => {
    const registry = new DefaultSerializationRegistry();
    const notSerializers: Array<[unknown, RegExp]> = [
      [null, /got null/],
      [{ typeName: '', dataContentType: 'x', serialize: () => utf8(''), deserialize: () => 1 }, /typeName must be a non-empty string, got ""/],
      [{ typeName: 'T', dataContentType: 7, serialize: () => utf8(''), deserialize: () => 1 }, /dataContentType must be a non-empty string, got number/],
      [{ typeName: 'T', dataContentType: 'x', serialize: () => utf8('') }, /Object for type "T" lacks serialize\(\) or deserialize\(\)/],
    ];
    for (const [candidate, message] of notSerializers) {
      expect(() => registry.addSerializer([new JsonMessageSerializer('Good'), candidate as MessageSerializer])).toThrow(TypeError);
      expect(() => registry.addSerializer(candidate as MessageSerializer)).toThrow(message);
    }
    expect(registry.isRegistered('Good')).toBe(false);
  });
});

describe('DefaultSerializationRegistry.typeName', () => {
  const registry = new DefaultSerializationRegistry();

  class Sub extends Person {}

  it.each([
    [Person.sample(), 'Person'],
    [new Sub(), 'Sub'],
    [{}, 'Object'],
    [Object.create(null), 'Object'],
    [new (class {})(), 'Object'],
    [[1, 2], 'Array'],
    [new Map(), 'Map'],
    [new Date(0), 'Date'],
    [new String('boxed'), 'String'],
    [() => 1, 'Function'],
    ['text', 'String'],
    [1.5, 'Number'],
    [true, 'Boolean'],
    [10n, 'BigInt'],
    [Symbol('s'), 'Symbol'],
    [null, 'null'],
    [undefined, 'undefined'],
  ])('names %o %s', (message, expected) => {
    expect(registry.typeName(message)).toBe(expected);
  });

  it('reads the class, not an own "constructor" key of the message', () => {
    expect(registry.typeName({ constructor: { name: 'Forged' } })).toBe('Object');
    expect(registry.typeName(Object.assign(new Address(), { constructor: Person }))).toBe('Address');
  });
});
