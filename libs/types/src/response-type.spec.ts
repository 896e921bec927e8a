import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AgentEngine } from './agent-engine.js';
import { AgentId } from './agent-id.js';
import {
  ResponseType,
  type DeclaresResponse,
  type ResponseOf,
  type SendMessageResult,
} from './response-type.js';

// The @ts-expect-error lines are assertions too: the typecheck target (tsc over the specs) fails
// when one of them stops being an error.

class Task {
  declare readonly [ResponseType]?: string;
  constructor(readonly text: string) {}
}
class Plain {
  constructor(readonly plain: string) {}
}
interface Ask extends DeclaresResponse<number> {
  readonly question: string;
}
type Alias = { readonly alias: string; readonly [ResponseType]?: boolean };

const id = new AgentId('agent', 'k');

/** Type-level calls only: the engine is never invoked. */
function sends(engine: AgentEngine) {
  return {
    inferred: () => engine.sendMessage(new Task('x'), id),
    undeclared: () => engine.sendMessage(new Plain('x'), id),
    explicitUndeclared: () => engine.sendMessage<number>(new Plain('x'), id),
    explicitAgreeing: () => engine.sendMessage<string>(new Task('x'), id),
    fromInterface: (ask: Ask) => engine.sendMessage(ask, id),
    fromAlias: (alias: Alias) => engine.sendMessage(alias, id),
    primitive: () => engine.sendMessage(42, id),
    explicitPrimitive: () => engine.sendMessage<number>('text', id),
    explicitLiteral: () => engine.sendMessage<number>({ any: 'fields' }, id),
    explicitNullish: () => [engine.sendMessage<number>(null, id), engine.sendMessage<number>(undefined, id)],
    forwardedUnknown: (message: unknown) => engine.sendMessage(message, id),
    forwardedObject: (message: unknown) => engine.sendMessage<number>(message as object, id),
    contradicting: async () => {
      // @ts-expect-error Task declares string: an explicit number contradicts it
      const r: number = await engine.sendMessage<number>(new Task('x'), id);
      // @ts-expect-error Ask declares number
      await engine.sendMessage<string>({ question: 'q' } as Ask, id);
      // @ts-expect-error Alias declares boolean
      await engine.sendMessage<string>({ alias: 'a' } as Alias, id);
      // @ts-expect-error the inferred result is string, not number
      const s: number = await engine.sendMessage(new Task('x'), id);
      // @ts-expect-error a message typed unknown cannot be checked against an explicit result type
      await engine.sendMessage<number>(s as unknown, id);
      return [r, s];
    },
  };
}

describe('typed RPC', () => {
  it('infers the result from the declared response type, without a type argument', () => {
    type Sends = ReturnType<typeof sends>;
    expectTypeOf<ReturnType<Sends['inferred']>>().toEqualTypeOf<Promise<string>>();
    expectTypeOf<ReturnType<Sends['fromInterface']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf<ReturnType<Sends['fromAlias']>>().toEqualTypeOf<Promise<boolean>>();
    expectTypeOf<ReturnType<Sends['explicitAgreeing']>>().toEqualTypeOf<Promise<string>>();
  });

  it('keeps undeclared messages as before: unknown, or the explicit type argument', () => {
    type Sends = ReturnType<typeof sends>;
    expectTypeOf<ReturnType<Sends['undeclared']>>().toEqualTypeOf<Promise<unknown>>();
    expectTypeOf<ReturnType<Sends['primitive']>>().toEqualTypeOf<Promise<unknown>>();
    expectTypeOf<ReturnType<Sends['explicitUndeclared']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf<ReturnType<Sends['explicitPrimitive']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf<ReturnType<Sends['explicitLiteral']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf<ReturnType<Sends['forwardedUnknown']>>().toEqualTypeOf<Promise<unknown>>();
    expectTypeOf<ReturnType<Sends['forwardedObject']>>().toEqualTypeOf<Promise<number>>();
  });

  it('reads a declaration back with ResponseOf and SendMessageResult', () => {
    expectTypeOf<ResponseOf<Task>>().toEqualTypeOf<string>();
    expectTypeOf<ResponseOf<Plain>>().toEqualTypeOf<unknown>();
    expectTypeOf<ResponseOf<string>>().toEqualTypeOf<unknown>();
    expectTypeOf<SendMessageResult<number, Plain>>().toEqualTypeOf<number>();
  });

  it('adds nothing to the message at run time', () => {
    expect(Object.keys(new Task('x'))).toEqual(['text']);
    expect(ResponseType in new Task('x')).toBe(false);
    expect(typeof sends).toBe('function');
  });
});
