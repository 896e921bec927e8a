import { Expose } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { ClassJsonMessageSerializer } from './class-json-message-serializer.js';
import { DeserializationError, SerializationError } from './errors.js';
import { JSON_DATA_CONTENT_TYPE } from './message-serializer.js';
import { captureError } from './test-utils/capture-error.js';
import { Address, Person, utf8 } from './test-utils/messages.js';

const persons = () => new ClassJsonMessageSerializer(Person);

describe('ClassJsonMessageSerializer', () => {
  it('is named after the class and speaks JSON', () => {
    const serializer = persons();
    expect(serializer.typeName).toBe('Person');
    expect(serializer.dataContentType).toBe(JSON_DATA_CONTENT_TYPE);
  });

  it('writes UTF-8 JSON of the plain object', () => {
    const bytes = new ClassJsonMessageSerializer(Address).serialize(Address.of('Ünter den Linden', 'Berlin'));
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({ street: 'Ünter den Linden', city: 'Berlin' });
  });

  it('round-trips nested classes, arrays of them and dates into real instances', () => {
    const serializer = persons();
    const back = serializer.deserialize(serializer.serialize(Person.sample()));
    expect(back).toStrictEqual(Person.sample());
    expect(back).toBeInstanceOf(Person);
    expect(back.greet()).toBe('hi, Ada');
    expect(back.home).toBeInstanceOf(Address);
    expect(back.previous.map((address) => address instanceof Address)).toEqual([true, true]);
    expect(back.born).toBeInstanceOf(Date);
    expect(back.born?.toISOString()).toBe('1815-12-10T00:00:00.000Z');
  });

  it('accepts classes whose constructor takes arguments, rebuilding them without calling it with any', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const serializer = new ClassJsonMessageSerializer(Point);
    expect(serializer.deserialize(serializer.serialize(new Point(1, 2)))).toStrictEqual(new Point(1, 2));
  });

  it('passes transformOptions to class-transformer', () => {
    class Strict {
      @Expose() kept = '';
    }
    const serializer = new ClassJsonMessageSerializer(Strict, { transformOptions: { excludeExtraneousValues: true } });
    const back = serializer.deserialize(utf8('{"kept": "yes", "extra": "dropped"}'));
    expect(back).toStrictEqual(Object.assign(new Strict(), { kept: 'yes' }));
  });

  it('refuses to serialize what is not an instance of the class, naming both types', () => {
    const serializer = persons() as ClassJsonMessageSerializer<object>;
    expect(() => serializer.serialize(new Address())).toThrow(SerializationError);
    expect(() => serializer.serialize(new Address())).toThrow(/"Person".*instance of Person, got Address/);
    expect(() => serializer.serialize({ name: 'Ada' })).toThrow(/got Object/);
  });

  it('wraps an unencodable instance in SerializationError', () => {
    const person = Object.assign(new Person(), { age: 10n as unknown as number });
    expect(() => persons().serialize(person)).toThrow(SerializationError);
    expect(() => persons().serialize(person)).toThrow(/"Person".*BigInt/);
  });

  it('rejects JSON that is not an object', () => {
    for (const text of ['42', '"Ada"', 'null', 'true', '[{"name": "Ada"}]']) {
      expect(() => persons().deserialize(utf8(text)), text).toThrow(DeserializationError);
    }
    expect(() => persons().deserialize(utf8('42'))).toThrow(/"Person": expected a JSON object, got number/);
    expect(() => persons().deserialize(utf8('[]'))).toThrow(/got Array/);
  });

  it('rejects malformed JSON', () => {
    for (const text of ['{"name": ', '', "{'name': 'Ada'}", '{"name": "Ada"} trailing']) {
      expect(() => persons().deserialize(utf8(text)), text).toThrow(DeserializationError);
    }
    const error = captureError(() => persons().deserialize(utf8('{"secret": "hunter2" oops')));
    expect(error).toMatchObject({ message: 'Cannot deserialize a payload as type "Person": the payload is not valid JSON' });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects bytes that are not UTF-8', () => {
    const garbage = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expect(() => persons().deserialize(garbage)).toThrow(DeserializationError);
    expect(() => persons().deserialize(garbage)).toThrow(/"Person": the payload is not valid UTF-8/);
  });

  it('rejects a payload that is not bytes', () => {
    expect(() => persons().deserialize('{}' as unknown as Uint8Array)).toThrow(/expected the payload as a Uint8Array, got string/);
  });

  it('needs a named class', () => {
    expect(() => new ClassJsonMessageSerializer((() => class {})())).toThrow(/anonymous class/);
  });
});

describe('ClassJsonMessageSerializer against prototype pollution', () => {
  const hostile = [
    ['top-level __proto__', '{"__proto__": {"polluted": true}}', '"__proto__" at $'],
    ['constructor.prototype', '{"constructor": {"prototype": {"polluted": true}}}', '"constructor" at $'],
    ['nested __proto__', '{"home": {"street": "x", "__proto__": {"polluted": true}}}', '"__proto__" at $.home'],
    ['__proto__ in an array', '{"previous": [{}, {"__proto__": {"polluted": true}}]}', '"__proto__" at $.previous[1]'],
    ['escaped __proto__', '{"\\u005f_proto__": {"polluted": true}}', '"__proto__" at $'],
    ['nested prototype', '{"tags": [], "home": {"prototype": {"polluted": true}}}', '"prototype" at $.home'],
  ] as const;

  it.each(hostile)('refuses %s with DeserializationError, polluting nothing', (_label, text, where) => {
    expect(() => persons().deserialize(utf8(text))).toThrow(DeserializationError);
    expect(() => persons().deserialize(utf8(text))).toThrow(`forbidden key ${where}`);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Person.prototype).not.toHaveProperty('polluted');
    expect(Address.prototype).not.toHaveProperty('polluted');
    expect(new Person()).not.toHaveProperty('polluted');
  });

  it('still accepts keys that merely contain the forbidden words', () => {
    const back = new ClassJsonMessageSerializer(Address).deserialize(utf8('{"street": "__proto__", "constructorName": "x"}'));
    expect(back).toMatchObject({ street: '__proto__', constructorName: 'x' });
  });
});
