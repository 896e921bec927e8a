import { type EngineEvent, type EventLogger } from '@agentopera/telemetry';
import { AgentId } from '@agentopera/types';
import type { Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { ControllableStore, CounterAgent, eventually } from './test-utils/lifecycle-agents.js';

/** An event logger whose `log` throws (`isEnabled` too when asked): user code the engine must survive. */
class ThrowingLogger implements EventLogger {
  calls = 0;
  constructor(private readonly alsoIsEnabled = false) {}
  isEnabled(): boolean {
    if (this.alsoIsEnabled) throw new Error('isEnabled exploded');
    return true;
  }
  log(_event: EngineEvent): void {
    this.calls++;
    throw new Error('log exploded');
  }
}

/** A tracer provider whose spans throw on end (and on start, when asked). */
function throwingTracerProvider(where: 'start' | 'end'): TracerProvider {
  const real = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
  return {
    getTracer(name: string): Tracer {
      const tracer = real.getTracer(name);
      return {
        startSpan(...args: Parameters<Tracer['startSpan']>): Span {
          if (where === 'start') throw new Error('startSpan exploded');
          const span = tracer.startSpan(...args);
          span.end = () => {
            throw new Error('end exploded');
          };
          return span;
        },
        startActiveSpan: tracer.startActiveSpan.bind(tracer) as Tracer['startActiveSpan'],
      };
    },
  };
}

/** Settles within `ms` or fails the test: what these defects did was hang. */
function within<T>(promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The telemetry-failure warnings raised so far (process warnings arrive on a later tick). */
const reported = (): Error[] => warnings.filter((warning) => (warning as Error & { code?: string }).code === 'AGENTOPERA_TELEMETRY_FAILED');

const idOf = (key: string): AgentId => new AgentId('counter', key);
let engine: LocalAgentEngine;
let warnings: Error[];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};

beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(async () => {
  process.off('warning', onWarning);
  await engine.close().catch(() => undefined);
});

describe('a throwing event logger or tracer is user code the engine survives', () => {
  it('a throwing event logger: messages and deactivations go on, every send settles', async () => {
    const logger = new ThrowingLogger();
    engine = new LocalAgentEngine({ stateStore: new ControllableStore(), eventLogger: logger });
    await engine.registerAgentBuilder('counter', () => new CounterAgent((_message, _ctx, self) => self.count));
    engine.start();
    expect(await within(engine.sendMessage('tick', idOf('a')), 'the first send')).toBe(1);
    // The deactivated event throwing used to leave the agent closing for ever.
    expect(await within(engine.deactivate(idOf('a')), 'deactivate')).toBe(true);
    expect(await within(engine.sendMessage('tick', idOf('a')), 'a send after the deactivation')).toBe(2);
    const many = Array.from({ length: 20 }, (_, index) => engine.sendMessage('tick', idOf(`k${index}`)));
    expect(await within(Promise.all(many), 'twenty sends')).toHaveLength(20);
    await within(engine.stop(), 'stop');
    expect(logger.calls).toBeGreaterThan(0);
    await eventually(() => reported().length > 0, 'the failure is reported as a warning');
    // Once, however many events failed (rate-limited).
    expect(reported()).toHaveLength(1);
    expect(reported()[0].message).toContain('log exploded');
  });

  it('an event logger whose isEnabled throws counts as disabled', async () => {
    engine = new LocalAgentEngine({ eventLogger: new ThrowingLogger(true) });
    await engine.registerAgentBuilder('counter', () => new CounterAgent((_message, _ctx, self) => self.count));
    engine.start();
    expect(await within(engine.sendMessage('tick', idOf('a')), 'a send')).toBe(1);
    await within(engine.stop(), 'stop');
  });

  it.each(['start', 'end'] as const)('a tracer that throws on span %s: results reach their callers unchanged', async (where) => {
    engine = new LocalAgentEngine({ tracerProvider: throwingTracerProvider(where) });
    await engine.registerAgentBuilder('counter', () => new CounterAgent((_message, _ctx, self) => self.count), { concurrency: 'serial' });
    engine.start();
    expect(await within(engine.sendMessage('tick', idOf('a')), 'a send')).toBe(1);
    expect(await within(engine.sendMessage('tick', idOf('a')), 'a second send')).toBe(2);
    await within(engine.stop(), 'stop');
    const fromTracer = (): Error[] => reported().filter((warning) => warning.message.includes('the tracer'));
    await eventually(() => fromTracer().length > 0, 'the failure is reported as a warning');
    expect(fromTracer()).toHaveLength(1);
    expect(fromTracer()[0].message).toContain(`${where === 'start' ? 'startSpan' : 'end'} exploded`);
  });
});
