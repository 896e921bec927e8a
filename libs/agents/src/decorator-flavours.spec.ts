import { beforeAll, describe, expect, it } from 'vitest';
import { AgentId, CancellationToken, MessageChannel, type MessageContext } from '@agentopera/types';
import { HandlerDefinitionError } from './errors.js';
import type { RoutedAgent } from './routed-agent.js';
import {
  loadFixture,
  typecheckFixtures,
  type DecoratorFlavour,
  type FixtureDiagnostic,
} from './test-utils/compile-fixture.js';
import { FakeEngine } from './test-utils/fake-engine.js';

// Vitest compiles specs with the repository's experimentalDecorators, so these tests compile agent
// source themselves with tsc, under each flavour, and run what it emits.

const IMPORTS = `
import { RoutedAgent, defaultSubscription, event, messageHandler, rpc, typeSubscription } from '@agentopera/agents';
import { ResponseType, type MessageContext } from '@agentopera/types';

export class Task {
  declare readonly [ResponseType]?: string;
  constructor(readonly text: string) {}
}
export class Note {
  constructor(readonly text: string) {}
}
export class Peek {
  readonly peek = true;
}
`;

/** Compiles cleanly under both flavours: the @ts-expect-error lines must error in both. */
const WORKER = `${IMPORTS}
@defaultSubscription()
@typeSubscription('news')
export class Worker extends RoutedAgent {
  readonly notes: string[] = [];

  @rpc(Task)
  async onTask(task: Task): Promise<string> {
    return task.text.toUpperCase();
  }

  @event(Note, { match: (note) => note.text !== '' })
  async onNote(note: Note, ctx: MessageContext): Promise<void> {
    this.notes.push(\`\${note.text} via \${String(ctx.messageChannel)}\`);
  }

  @messageHandler(Peek, { interleave: true })
  async onPeek(_peek: Peek): Promise<number> {
    return this.notes.length;
  }

  // @ts-expect-error a handler of Task must return what Task declares (string)
  @rpc(Task, { match: () => false })
  async wrongResult(task: Task): Promise<number> {
    return task.text.length;
  }

  // @ts-expect-error the parameter does not accept Note
  @event(Note, { match: () => false })
  async wrongParameter(_peek: Peek): Promise<void> {}
}

export class NotAnAgent {
  // @ts-expect-error handler decorators apply to RoutedAgent subclasses only
  @rpc(Task) async stray(task: Task): Promise<string> {
    return task.text;
  }
}
`;

/** The class-inferring form, which only legacy decorators with metadata support. */
const INFERRED = `${IMPORTS}
export class Inferring extends RoutedAgent {
  @rpc()
  async onTask(task: Task): Promise<string> {
    return task.text;
  }
}
`;

const STATIC = `${IMPORTS}
export class Static extends RoutedAgent {
  @rpc(Task)
  static async onTask(task: Task): Promise<string> {
    return task.text;
  }
}
`;

const GETTER = `${IMPORTS}
export class Getter extends RoutedAgent {
  @rpc(Task)
  get onTask(): string {
    return '';
  }
}
`;

const PRIVATE = `${IMPORTS}
export class Private extends RoutedAgent {
  @rpc(Task)
  async #onTask(task: Task): Promise<string> {
    return \`private \${task.text}\`;
  }
}
`;

const FILES = { 'worker.ts': WORKER, 'inferred.ts': INFERRED, 'static.ts': STATIC, 'getter.ts': GETTER, 'private.ts': PRIVATE };
const FLAVOURS: readonly DecoratorFlavour[] = ['legacy', 'standard'];

const channel = new MessageChannel('news', 'k');
const publishContext: MessageContext = {
  sender: null,
  messageChannel: channel,
  isRpc: false,
  cancellationToken: new CancellationToken(),
  messageId: 'm1',
};

// Fixture exports, typed loosely: agent classes take a description, message classes a text.
type AgentClass = (new (text: string) => RoutedAgent) & typeof RoutedAgent;

// One program per flavour with every fixture: type-checking the libraries once per flavour is
// what costs time.
const programs = new Map<DecoratorFlavour, Record<string, FixtureDiagnostic[]>>();
function diagnosticsOf(flavour: DecoratorFlavour, file: keyof typeof FILES): FixtureDiagnostic[] {
  let diagnostics = programs.get(flavour);
  if (diagnostics === undefined) programs.set(flavour, (diagnostics = typecheckFixtures(FILES, flavour)));
  return diagnostics[file]!;
}

describe.each(FLAVOURS)('%s decorators, compiled by tsc', (flavour) => {
  beforeAll(() => {
    diagnosticsOf(flavour, 'worker.ts');
  }, 120_000);

  const codes = (file: keyof typeof FILES): number[] => diagnosticsOf(flavour, file).map((diagnostic) => diagnostic.code);

  it('type-check handlers and class decorators, refusing wrong results, parameters and classes', () => {
    expect(diagnosticsOf(flavour, 'worker.ts')).toEqual([]);
  });

  it('route, filter by match, interleave and subscribe at run time', async () => {
    const { Worker, Task, Note, Peek } = loadFixture(WORKER, flavour) as Record<string, AgentClass>;
    const engine = new FakeEngine();
    await Worker!.register(engine, 'worker', () => new Worker!('works'));
    const id = new AgentId('worker', 'k');
    expect(await engine.sendMessage(new Task!('hi'), id)).toBe('HI');
    await engine.publishMessage(new Note!('note'), channel);
    await engine.publishMessage(new Note!(''), channel);
    const worker = (await engine.tryGetUnderlyingAgentInstance(id)) as RoutedAgent & { notes: string[] };
    expect(worker.notes).toEqual(['note via news/k']);
    expect(engine.unhandled.map(({ message }) => message)).toEqual([new Note!('')]);
    expect(worker.isInterleaving(new Peek!(''), publishContext)).toBe(true);
    expect(worker.isInterleaving(new Note!('x'), publishContext)).toBe(false);
    const described = engine.subscriptions.map((subscription) => String(subscription).replace(/, id=.*/, ''));
    expect(described.sort()).toEqual([
      'DefaultSubscription(topicType="default", agentType="worker"',
      'TypePrefixSubscription(topicTypePrefix="worker:", agentType="worker"',
      'TypeSubscription(topicType="news", agentType="worker"',
    ]);
  });

  it('refuse a static handler, naming the decorator as written and the method', () => {
    expect(codes('static.ts')).toContain(1241);
    const where = flavour === 'legacy' ? 'Static.onTask' : 'static method onTask';
    expect(() => loadFixture(STATIC, flavour)).toThrow(HandlerDefinitionError);
    expect(() => loadFixture(STATIC, flavour)).toThrow(
      `@rpc(Task) on ${where}: handlers must be instance methods, not static ones`,
    );
  });

  it('refuse a getter', () => {
    expect(codes('getter.ts').length).toBeGreaterThan(0);
    const message = flavour === 'legacy' ? 'Getter.onTask: it decorates methods only, not accessors or fields' : '@rpc(Task) on getter onTask: it decorates methods only, not getters';
    expect(() => loadFixture(GETTER, flavour)).toThrow(message);
  });
});

describe('standard decorators', () => {
  it('refuse a handler that names no class, at compile time and at class definition, showing the fix', () => {
    const [diagnostic] = diagnosticsOf('standard', 'inferred.ts');
    expect(diagnostic).toMatchObject({ code: 1241 });
    expect(diagnostic!.text).toContain('standard decorators carry no parameter types: name the message class, e.g. @rpc(MyMessage)');
    expect(() => loadFixture(INFERRED, 'standard')).toThrow(
      '@rpc() on method onTask: standard decorators carry no parameter types, so the message class cannot be learned; name it: @rpc(MyMessage)',
    );
  });

  it('route to a #private method', async () => {
    expect(diagnosticsOf('standard', 'private.ts')).toEqual([]);
    const { Private, Task } = loadFixture(PRIVATE, 'standard') as Record<string, AgentClass>;
    const engine = new FakeEngine();
    await engine.registerAgentBuilder('private', () => new Private!('p'));
    expect(await engine.sendMessage(new Task!('x'), new AgentId('private', 'k'))).toBe('private x');
  });
});

describe('legacy decorators', () => {
  it('learn the class from design:paramtypes when the compiler emits it', async () => {
    expect(diagnosticsOf('legacy', 'inferred.ts')).toEqual([]);
    const { Inferring, Task } = loadFixture(INFERRED, 'legacy') as Record<string, AgentClass>;
    const engine = new FakeEngine();
    await engine.registerAgentBuilder('inferring', () => new Inferring!('i'));
    expect(await engine.sendMessage(new Task!('x'), new AgentId('inferring', 'k'))).toBe('x');
  }, 120_000);

  it('without emitted metadata (esbuild, swc, tsx), say the class cannot be learned and show the fix', () => {
    expect(() => loadFixture(INFERRED, 'legacy', false)).toThrow(
      /^@rpc\(\) on Inferring\.onTask: there is no parameter type metadata \(design:paramtypes\).*tsx, esbuild, swc, Bun.*name the message class: @rpc\(MyMessage\)$/,
    );
  });
});
