import { describe, expect, it } from 'vitest';
import type { MessageSerializer } from './message-serializer.js';

export interface MessageSerializerConformanceOptions {
  /**
   * Payloads `deserialize` must reject by throwing. The default (bytes that are not UTF-8, and
   * truncated JSON) suits JSON serializers; give your own for other formats.
   */
  readonly invalidPayloads?: readonly Uint8Array[];
}

const DEFAULT_INVALID_PAYLOADS: readonly Uint8Array[] = [
  new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0x80]),
  new TextEncoder().encode('{"truncated": '),
];

/**
 * Registers Vitest tests every `MessageSerializer` should pass: non-empty names, `serialize` gives a
 * `Uint8Array`, each sample round-trips (`toStrictEqual`, so class and fields must match), and
 * invalid payloads are rejected. `makeSerializer` is called afresh for each test.
 */
export function describeMessageSerializerConformance<T>(
  name: string,
  makeSerializer: () => MessageSerializer<T>,
  samples: readonly T[],
  options: MessageSerializerConformanceOptions = {},
): void {
  if (samples.length === 0) {
    throw new TypeError(`describeMessageSerializerConformance(${JSON.stringify(name)}) needs at least one sample`);
  }
  const invalidPayloads = options.invalidPayloads ?? DEFAULT_INVALID_PAYLOADS;

  describe(`MessageSerializer conformance: ${name}`, () => {
    it('has a non-empty typeName and dataContentType', () => {
      const serializer = makeSerializer();
      for (const field of [serializer.typeName, serializer.dataContentType]) {
        expect(typeof field).toBe('string');
        expect(field).not.toBe('');
      }
    });

    samples.forEach((sample, index) => {
      it(`serializes sample #${index} to a Uint8Array`, () => {
        expect(makeSerializer().serialize(sample)).toBeInstanceOf(Uint8Array);
      });

      it(`round-trips sample #${index}`, () => {
        const serializer = makeSerializer();
        expect(serializer.deserialize(serializer.serialize(sample))).toStrictEqual(sample);
      });
    });

    invalidPayloads.forEach((payload, index) => {
      it(`rejects invalid payload #${index}`, () => {
        expect(() => makeSerializer().deserialize(payload)).toThrow();
      });
    });
  });
}
