import { describe, expect, it } from 'vitest';
import { ClassJsonMessageSerializer } from './class-json-message-serializer.js';
import { JsonMessageSerializer } from './json-message-serializer.js';
import { describeMessageSerializerConformance } from './testing.js';
import { Address, Person } from './test-utils/messages.js';

describeMessageSerializerConformance('ClassJsonMessageSerializer(Person)', () => new ClassJsonMessageSerializer(Person), [
  Person.sample(),
  new Person(),
  Object.assign(new Person(), { name: 'Grace', previous: [Address.of('', '')] }),
]);

describeMessageSerializerConformance('ClassJsonMessageSerializer(Address)', () => new ClassJsonMessageSerializer(Address), [
  Address.of('Ünter den Linden 1', '北京'),
]);

describeMessageSerializerConformance('JsonMessageSerializer', () => new JsonMessageSerializer('Object'), [
  { a: 1, b: ['x', null, true], c: { d: -0.5 } },
  [],
  'text',
  null,
]);

describe('describeMessageSerializerConformance', () => {
  it('needs at least one sample', () => {
    expect(() => describeMessageSerializerConformance('empty', () => new JsonMessageSerializer('Object'), [])).toThrow(
      /"empty"\) needs at least one sample/,
    );
  });
});
