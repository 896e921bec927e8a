import { TypeSubscription } from '@agentopera/subscriptions';
import {
  AgentConstructionExceptionEvent,
  CollectingEventLogger,
  InterventionExceptionEvent,
  MessageEvent,
  MessageHandlerExceptionEvent,
} from '@agentopera/telemetry';
import { AgentId, MessageChannel } from '@agentopera/types';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { DefaultInterventionHandler } from './intervention-handler.js';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

// Issue 6, fault injection: every component that can fail does, at once; the engine keeps serving
// the healthy agent, reports each failure as an event, and close() still closes every agent.

class Note {
  constructor(readonly text: string) {}
}

type ExportCallback = Parameters<SpanExporter['export']>[1];

/** An exporter whose export throws outright. */
class ThrowingExporter implements SpanExporter {
  calls = 0;
  export(_spans: ReadableSpan[], _done: ExportCallback): void {
    this.calls++;
    throw new Error('exporter exploded');
  }
  async shutdown(): Promise<void> {}
}

/** An exporter that reports failure through its callback (code 1 = ExportResultCode.FAILED). */
class FailingExporter implements SpanExporter {
  calls = 0;
  export(_spans: ReadableSpan[], done: ExportCallback): void {
    this.calls++;
    done({ code: 1, error: new Error('collector unreachable') });
  }
  async shutdown(): Promise<void> {}
}

class FaultyInterventions extends DefaultInterventionHandler {
  override onPublish(message: unknown): unknown {
    if (message instanceof Note && message.text === 'poison') throw new Error('onPublish failed');
    return message;
  }

  override async onSend(message: unknown): Promise<unknown> {
    if (message instanceof Note && message.text === 'poison') throw new Error('onSend failed');
    if (message instanceof Note && message.text === 'poison-async') return Promise.reject(new Error('onSend rejected'));
    return message;
  }
}

const throwingSerializer = {
  typeName: 'Note',
  dataContentType: 'application/json',
  serialize: (): Uint8Array => {
    throw new Error('serializer failed');
  },
  deserialize: (): Note => {
    throw new Error('serializer failed');
  },
};

async function faultyEngine() {
  const events = new CollectingEventLogger();
  const throwing = new ThrowingExporter();
  const failing = new FailingExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(throwing), new SimpleSpanProcessor(failing)],
  });
  const engine = new LocalAgentEngine({ eventLogger: events, tracerProvider, interventionHandlers: [new FaultyInterventions()] });
  engine.registerMsgSerializer(throwingSerializer);

  const healthy = new TestAgent();
  await engine.registerAgentBuilder('healthy', () => healthy);
  await engine.registerAgentBuilder('build-throws', () => {
    throw new Error('builder threw');
  });
  await engine.registerAgentBuilder('build-rejects', async () => Promise.reject(new Error('builder rejected')));
  await engine.registerAgentBuilder('handler-throws', () =>
    new TestAgent(() => {
      throw new Error('handler threw');
    }),
  );
  await engine.registerAgentBuilder('handler-rejects', () => new TestAgent(async () => Promise.reject(new Error('handler rejected'))));
  for (const type of ['healthy', 'build-throws', 'build-rejects', 'handler-throws', 'handler-rejects']) {
    await engine.subscribe(new TypeSubscription('all', type));
  }
  return { engine, events, healthy, throwing, failing };
}

describe('fault injection', () => {
  it('keeps serving the healthy agent while builders, handlers, interventions, serializer and exporters fail', async () => {
    const { engine, events, healthy, throwing, failing } = await faultyEngine();
    engine.start();
    const failures: [string, string][] = [
      ['build-throws', 'builder threw'],
      ['build-rejects', 'builder rejected'],
      ['handler-throws', 'handler threw'],
      ['handler-rejects', 'handler rejected'],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [type, error] of failures) {
        await expect(engine.sendMessage(new Note(`to ${type}`), new AgentId(type, 'k'))).rejects.toThrow(error);
        await expect(engine.sendMessage(new Note(`ok ${round}`), new AgentId('healthy', 'k'))).resolves.toEqual(new Note(`ok ${round}`));
      }
      await expect(engine.sendMessage(new Note('poison'), new AgentId('healthy', 'k'))).rejects.toThrow('onSend failed');
      await expect(engine.sendMessage(new Note('poison-async'), new AgentId('healthy', 'k'))).rejects.toThrow('onSend rejected');
      await engine.publishMessage(new Note('poison'), new MessageChannel('all', 'k'));
      await engine.publishMessage(new Note(`broadcast ${round}`), new MessageChannel('all', 'k'));
    }
    await engine.stopWhenIdle();

    // A throwing onPublish delivers the message to no one.
    const healthyTexts = healthy.received.map((m) => (m as Note).text);
    expect(healthyTexts).not.toContain('poison');
    expect(healthyTexts.filter((t) => t.startsWith('ok'))).toHaveLength(12);
    expect(healthyTexts.filter((t) => t.startsWith('broadcast'))).toEqual(['broadcast 0', 'broadcast 1', 'broadcast 2']);
    expect(throwing.calls).toBeGreaterThan(0);
    expect(failing.calls).toBe(throwing.calls);

    // Each failed build (2 types x (3 sends + 3 publishes)) and each failed handling is an event.
    const constructions = events.events.filter((e) => e instanceof AgentConstructionExceptionEvent);
    expect(constructions).toHaveLength(12);
    const handling = events.events.filter((e) => e instanceof MessageHandlerExceptionEvent);
    const exceptionTexts = handling.map((e) => String((e.exception as Error).message));
    for (const text of ['handler threw', 'handler rejected', 'onSend failed', 'onSend rejected']) {
      expect(exceptionTexts.filter((t) => t === text).length, text).toBeGreaterThanOrEqual(3);
    }
    // The throwing serializer only degrades the log payload.
    const messageEvents = events.events.filter((e) => e instanceof MessageEvent);
    expect(messageEvents.length).toBeGreaterThan(0);
    expect(messageEvents.every((e) => e.payload === 'Message could not be serialized')).toBe(true);
  });

  it('reports a throwing onPublish intervention as an event, and keeps serving', async () => {
    class Guard extends DefaultInterventionHandler {
      override onPublish(message: unknown): unknown {
        if (message instanceof Note && message.text === 'poison') throw new Error('onPublish failed');
        return message;
      }
    }
    const events = new CollectingEventLogger();
    const engine = new LocalAgentEngine({ interventionHandlers: [new Guard()], eventLogger: events });
    const agent = new TestAgent();
    await engine.registerAgentInstance(agent, new AgentId('listener', 'k'));
    await engine.subscribe(new TypeSubscription('all', 'listener'));
    engine.start();
    await engine.publishMessage(new Note('poison'), new MessageChannel('all', 'k'));
    await engine.publishMessage(new Note('fine'), new MessageChannel('all', 'k'));
    await engine.stopWhenIdle();
    expect(agent.received).toEqual([new Note('fine')]);
    const failures = events.events.filter((e) => e instanceof InterventionExceptionEvent);
    expect(failures).toHaveLength(1);
    expect([failures[0]!.stage, failures[0]!.handler, (failures[0]!.exception as Error).message]).toEqual([
      'publish',
      'Guard',
      'onPublish failed',
    ]);
  });

  it('close() closes every other agent when some close() throw or reject, aggregating their errors', async () => {
    const engine = new LocalAgentEngine();
    const closeFailure = (kind: string) =>
      kind === 'throws'
        ? () => {
            throw new Error('close threw');
          }
        : () => Promise.reject(new Error('close rejected'));
    const agents: TestAgent[] = [];
    for (const kind of ['ok', 'throws', 'ok', 'rejects', 'ok']) {
      await engine.registerAgentBuilder(`closer-${agents.length}`, () => {
        const agent = new TestAgent();
        if (kind !== 'ok') agent.close = closeFailure(kind) as () => Promise<void>;
        agents.push(agent);
        return agent;
      });
      await engine.get(`closer-${agents.length}`, 'k', { lazy: false });
    }
    engine.start();
    const error = await engine.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['close threw', 'close rejected']);
    expect(agents.filter((a) => a.closed)).toHaveLength(3);
  });
});
