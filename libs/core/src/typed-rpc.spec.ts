import { describe, expect, expectTypeOf, it } from 'vitest';
import { AgentId, LocalAgentEngine, ResponseType, RoutedAgent, event, messageHandler, rpc } from './index.js';

// Typed RPC end to end: the message declares its response once; the handler is checked against
// it and the caller's result is inferred from it. The @ts-expect-error lines fail the typecheck
// target when they stop being errors.

class Task {
  declare readonly [ResponseType]?: string;
  constructor(readonly text: string) {}
}
class Count {
  declare readonly [ResponseType]?: number;
  constructor(readonly items: readonly string[]) {}
}
class Note {
  constructor(readonly note: string) {}
}

class Worker extends RoutedAgent {
  @rpc(Task)
  async onTask(task: Task): Promise<string> {
    return task.text.toUpperCase();
  }

  @messageHandler(Count)
  onCount(count: Count): number {
    return count.items.length;
  }

  @rpc(Note)
  async onNote(note: Note): Promise<number> {
    return note.note.length;
  }

  // A handler for Task that returns another type does not compile.
  // @ts-expect-error Task declares string
  @rpc(Task, { match: () => false }) async wrong(task: Task): Promise<number> {
    return task.text.length;
  }

  // @ts-expect-error Task declares string; resolving nothing is another type
  @messageHandler(Task, { match: () => false }) async nothing(_task: Task): Promise<void> {}

  // @ts-expect-error a handler of Task and Count must return what both declare
  @rpc([Task, Count], { match: () => false }) async either(_message: Task | Count): Promise<string> {
    return '';
  }

  // Published-only handlers may return anything: nobody awaits it.
  @event(Task) async onPublishedTask(_task: Task): Promise<number> {
    return 0;
  }

  // Inside an agent, sendMessage infers too.
  async askSelf(): Promise<string> {
    const reply = await this.sendMessage(new Task('self'), this.id);
    expectTypeOf(reply).toEqualTypeOf<string>();
    return reply;
  }
}

describe('typed RPC on LocalAgentEngine', () => {
  it('infers each result from the message, and still takes an explicit type for undeclared messages', async () => {
    const engine = new LocalAgentEngine();
    await Worker.register(engine, 'worker', () => new Worker('works'));
    engine.start();
    const id = new AgentId('worker', 'default');
    try {
      const text = await engine.sendMessage(new Task('x'), id);
      expectTypeOf(text).toEqualTypeOf<string>();
      expect(text).toBe('X');
      const count = await engine.sendMessage(new Count(['a', 'b']), id);
      expectTypeOf(count).toEqualTypeOf<number>();
      expect(count).toBe(2);
      const undeclared = await engine.sendMessage(new Note('four'), id);
      expectTypeOf(undeclared).toEqualTypeOf<unknown>();
      const explicit = await engine.sendMessage<number>(new Note('four'), id);
      expectTypeOf(explicit).toEqualTypeOf<number>();
      expect([undeclared, explicit]).toEqual([4, 4]);
      // @ts-expect-error Task declares string, so an explicit number does not compile
      const wrong: number = await engine.sendMessage<number>(new Task('x'), id);
      expect(wrong).toBe('X');
      const agent = await engine.tryGetUnderlyingAgentInstance(id, Worker);
      expect(await agent.askSelf()).toBe('SELF');
    } finally {
      await engine.stop();
    }
  });
});
