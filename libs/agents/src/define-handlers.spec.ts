import { describe, expect, it } from 'vitest';
import { AgentId, CantHandleError, MessageChannel, ResponseType } from '@agentopera/types';
import { defineHandlers } from './define-handlers.js';
import { HandlerDefinitionError } from './errors.js';
import { event, messageHandler, rpc } from './message-handlers.js';
import { RoutedAgent } from './routed-agent.js';
import { loadFixture } from './test-utils/compile-fixture.js';
import { FakeEngine } from './test-utils/fake-engine.js';

class Task {
  declare readonly [ResponseType]?: string;
  constructor(readonly text: string) {}
}
class Note {
  constructor(readonly note: string) {}
}

const id = new AgentId('agent', 'k');
const channel = new MessageChannel('default', 'k');

async function start(cls: new (description: string) => RoutedAgent) {
  const engine = new FakeEngine();
  await engine.registerAgentBuilder('agent', () => new cls('under test'));
  await engine.subscribe({ id: 'all', isMatch: () => true, mapToAgent: () => id, equals: (other) => other.id === 'all' });
  return engine;
}

describe('defineHandlers', () => {
  it('declares handlers without decorators, routed in table order with match and kinds', async () => {
    class Agent extends RoutedAgent {
      readonly seen: string[] = [];
      async onShout(task: Task): Promise<string> { return task.text.toUpperCase(); }
      async onTask(task: Task): Promise<string> { return task.text; }
      async onNote(note: Note): Promise<void> { this.seen.push(note.note); }
      async onText(text: string | number): Promise<string> { return `text ${text}`; }
    }
    expect(
      defineHandlers(Agent, {
        onShout: rpc(Task, { match: (task) => task.text.endsWith('!') }),
        onTask: rpc(Task),
        onNote: event(Note),
        onText: [messageHandler(String), messageHandler(Number)],
      }),
    ).toBe(Agent);
    const engine = await start(Agent);
    expect(await engine.sendMessage(new Task('hey!'), id)).toBe('HEY!');
    expect(await engine.sendMessage(new Task('hey'), id)).toBe('hey');
    expect(await engine.sendMessage(7, id)).toBe('text 7');
    await expect(engine.sendMessage(new Note('sent'), id)).rejects.toThrow(CantHandleError);
    await engine.publishMessage(new Note('published'), channel);
    expect((await engine.tryGetUnderlyingAgentInstance(id, Agent)).seen).toEqual(['published']);
  });

  it('adds to the handlers a class declares with decorators, and is inherited', async () => {
    class Base extends RoutedAgent {
      @rpc(Task, { match: (task) => task.text === 'decorated' }) async onDecorated(): Promise<string> { return 'decorated'; }
      async onTask(): Promise<string> { return 'declared'; }
    }
    defineHandlers(Base, { onTask: rpc(Task) });
    class Derived extends Base {}
    const engine = await start(Derived);
    expect(await engine.sendMessage(new Task('decorated'), id)).toBe('decorated');
    expect(await engine.sendMessage(new Task('other'), id)).toBe('declared');
  });

  it('type-checks each method against its declaration', () => {
    class Agent extends RoutedAgent {
      async onTask(task: Task): Promise<string> { return task.text; }
      async onCount(task: Task): Promise<number> { return task.text.length; }
    }
    defineHandlers(Agent, {
      onTask: rpc(Task),
      // @ts-expect-error Task declares string, the method returns number
      onCount: rpc(Task),
    });
    // @ts-expect-error there is no such method
    expect(() => defineHandlers(Agent, { onMissing: rpc(Task) })).toThrow(HandlerDefinitionError);
  });

  it('refuses what cannot route, naming the class, the method and the fix', () => {
    class Agent extends RoutedAgent {
      async onTask(): Promise<void> {}
    }
    const define = (table: object) => () => defineHandlers(Agent, table as never);
    expect(define({ onTask: rpc() })).toThrow(
      'rpc() on Agent.onTask: without decorators there are no parameter types, so the message class cannot be learned; name it: rpc(MyMessage)',
    );
    expect(define({ onTask: rpc({ match: () => true }) })).toThrow('name it: rpc(MyMessage, { match })');
    expect(define({ onMissing: rpc(Task) })).toThrow('rpc(Task) on Agent.onMissing: Agent has no method onMissing');
    expect(define({ onTask: () => undefined })).toThrow(HandlerDefinitionError);
    expect(define({ onTask: () => undefined })).toThrow(/onTask needs a declaration such as rpc\(MyMessage\)/);
    expect(() => defineHandlers(Agent, null as never)).toThrow(TypeError);
  });

  it('refuses to change a class that already routed messages', async () => {
    class Agent extends RoutedAgent {
      async onTask(): Promise<string> { return 'task'; }
    }
    defineHandlers(Agent, { onTask: rpc(Task) });
    const engine = await start(Agent);
    await engine.sendMessage(new Task('x'), id);
    expect(() => defineHandlers(Agent, { onTask: rpc(Task) })).toThrow(/called after Agent handled messages/);
  });

  it('works from plain JavaScript', async () => {
    const { Greeter, Greeting } = loadFixture(
      `
      import { RoutedAgent, defaultSubscription, defineHandlers, rpc } from '@agentopera/agents';
      export class Greeting {
        constructor(name) { this.name = name; }
      }
      export class Greeter extends RoutedAgent {
        async onGreeting(greeting) { return 'hello ' + greeting.name; }
      }
      defineHandlers(Greeter, { onGreeting: rpc(Greeting) });
      defaultSubscription()(Greeter);
      `,
      'standard',
    ) as Record<string, (new (text: string) => RoutedAgent) & typeof RoutedAgent>;
    const engine = new FakeEngine();
    await Greeter!.register(engine, 'greeter', () => new Greeter!('greets'));
    expect(await engine.sendMessage(new Greeting!('Ada'), new AgentId('greeter', 'k'))).toBe('hello Ada');
    expect(engine.subscriptions.map((subscription) => subscription.constructor.name).sort()).toEqual([
      'DefaultSubscription',
      'TypePrefixSubscription',
    ]);
  });
});
