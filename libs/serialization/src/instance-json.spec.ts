import { describe, expect, it } from 'vitest';
import { ClassJsonMessageSerializer } from './class-json-message-serializer.js';
import { DefaultSerializationRegistry } from './default-serialization-registry.js';
import { SerializationError } from './errors.js';
import { instanceToJson } from './instance-json.js';
import { Person } from './test-utils/messages.js';

describe('instanceToJson', () => {
  it('writes an instance as its class serializer would, so the registering side rebuilds it', () => {
    const person = Person.sample();
    const bytes = instanceToJson(person, 'Person');
    expect(bytes).toEqual(new ClassJsonMessageSerializer(Person).serialize(person));
    const back = new ClassJsonMessageSerializer(Person).deserialize(bytes);
    expect(back).toStrictEqual(person);
    expect(back.greet()).toBe('hi, Ada');
  });

  it('writes plain values as JSON and refuses values with no JSON form, naming the type', () => {
    expect(new TextDecoder().decode(instanceToJson({ a: [1, 'x'] }, 'Object'))).toBe('{"a":[1,"x"]}');
    expect(new TextDecoder().decode(instanceToJson('x', 'String'))).toBe('"x"');
    expect(() => instanceToJson(10n, 'BigInt')).toThrow(SerializationError);
    expect(() => instanceToJson(10n, 'BigInt')).toThrow(/"BigInt"/);
  });
});

describe('DefaultSerializationRegistry.contentTypes', () => {
  it('lists the content types registered for a type, in registration order', () => {
    const registry = new DefaultSerializationRegistry();
    expect(registry.contentTypes('Person')).toEqual([]);
    registry.addSerializer({ typeName: 'Person', dataContentType: 'application/x-protobuf', serialize: () => new Uint8Array(), deserialize: () => null });
    registry.addSerializer(new ClassJsonMessageSerializer(Person));
    expect(registry.contentTypes('Person')).toEqual(['application/x-protobuf', 'application/json']);
  });
});
