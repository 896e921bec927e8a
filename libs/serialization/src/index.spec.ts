import { describe, expect, expectTypeOf, it } from 'vitest';
import * as serialization from './index.js';
import {
  ClassJsonMessageSerializer,
  DefaultSerializationRegistry,
  JSON_DATA_CONTENT_TYPE,
  SerializationRegistry,
  type MessageSerializer,
} from './index.js';
import { Person } from './test-utils/messages.js';

describe('the package entry point', () => {
  it('exports SerializationRegistry as both the interface and the default implementation', () => {
    const registry: SerializationRegistry = new SerializationRegistry();
    expect(registry).toBeInstanceOf(DefaultSerializationRegistry);
    expectTypeOf<DefaultSerializationRegistry>().toExtend<SerializationRegistry>();
  });

  it('accepts typed serializers in the registry, as the seed engine uses it', () => {
    const registry: SerializationRegistry = new SerializationRegistry();
    const serializer: MessageSerializer<Person> = new ClassJsonMessageSerializer(Person);
    registry.addSerializer(serializer);
    const message = Person.sample();
    const text = new TextDecoder().decode(
      registry.serialize(message, { typeName: registry.typeName(message), dataContentType: JSON_DATA_CONTENT_TYPE }),
    );
    expect(JSON.parse(text)).toMatchObject({ name: 'Ada', born: '1815-12-10T00:00:00.000Z' });
  });

  it('exports exactly the public API', () => {
    expect(Object.keys(serialization).sort()).toEqual([
      'ClassJsonMessageSerializer',
      'DefaultSerializationRegistry',
      'DeserializationError',
      'JSON_DATA_CONTENT_TYPE',
      'JsonMessageSerializer',
      'MessageCodecError',
      'SerializationError',
      'SerializationRegistry',
      'UnknownPayload',
      'UnknownSerializerError',
      'instanceToJson',
    ]);
  });
});
