import { AgentId, MessageChannel } from '@agentopera/types';
import { ProxyTracerProvider, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { inMemoryTracing, TestAsyncContextManager } from '../test-utils/in-memory-tracing.js';
import { MessageEngineTracingConfig } from './message-engine-tracing-config.js';
import { getTelemetryEnvelopeMetadata } from './telemetry-envelope-metadata.js';
import { DISABLE_ENGINE_TRACING_ENV, TraceHelper } from './trace-helper.js';

const config = new MessageEngineTracingConfig('LocalAgentEngine');
const agent = new AgentId('my_agent', 'default');
const channel = new MessageChannel('news', 'default');
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

function setup(): ReturnType<typeof inMemoryTracing> & { helper: TraceHelper } {
  const tracing = inMemoryTracing();
  return { ...tracing, helper: new TraceHelper(tracing.provider, config) };
}

function traceparentOf(span: { spanContext: () => { traceId: string; spanId: string } }): string {
  const { traceId, spanId } = span.spanContext();
  return `00-${traceId}-${spanId}-01`;
}

afterEach(() => {
  trace.disable();
  context.disable();
});

describe('TraceHelper spans', () => {
  it.each([
    ['create', agent, 'create my_agent/default', SpanKind.PRODUCER, 'create'],
    ['send', agent, 'send my_agent/default', SpanKind.PRODUCER, 'send'],
    ['publish', channel, 'publish news/default', SpanKind.PRODUCER, 'send'],
    ['process', agent, 'process my_agent/default', SpanKind.CONSUMER, 'process'],
    ['ack', agent, 'ack my_agent/default', SpanKind.CONSUMER, 'settle'],
    ['intercept', null, 'intercept', SpanKind.INTERNAL, 'receive'],
  ] as const)('%s spans are named, kinded and attributed after the messaging conventions', (operation, destination, name, kind, type) => {
    const { helper, span } = setup();
    helper.traceBlock(operation, destination, undefined, () => undefined, {
      extraAttributes: { message_type: 'Greeting' },
    });
    const finished = span(name);
    expect(finished.kind).toBe(kind);
    expect(finished.instrumentationScope.name).toBe('agentopera LocalAgentEngine');
    expect(finished.attributes).toEqual({
      message_type: 'Greeting',
      'messaging.system': 'agentopera',
      'messaging.operation.type': type,
      'messaging.operation.name': operation,
      ...(destination === null ? {} : { 'messaging.destination.name': destination.toString() }),
    });
    expect(finished.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('parents the send span on the create span through envelope metadata', async () => {
    const { helper, span } = setup();
    const metadata = helper.traceBlock('create', agent, undefined, () => helper.captureMetadata());
    expect(metadata?.traceparent).toBe(traceparentOf(span('create my_agent/default')));

    await tick(); // a queue hop: nothing of the create span's context is left but the metadata
    helper.traceBlock('send', agent, metadata, () => undefined);

    const create = span('create my_agent/default');
    const send = span('send my_agent/default');
    expect(send.spanContext().traceId).toBe(create.spanContext().traceId);
    expect(send.parentSpanContext?.spanId).toBe(create.spanContext().spanId);
    expect(send.parentSpanContext?.isRemote).toBe(true);
  });

  it('carries tracestate through the envelope', () => {
    const { helper, span } = setup();
    const parent = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=abc' };
    const metadata = helper.traceBlock('send', agent, parent, () => helper.captureMetadata());
    const send = span('send my_agent/default');
    expect(send.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(send.spanContext().traceState?.get('vendor')).toBe('abc');
    expect(metadata).toEqual({ traceparent: traceparentOf(send), tracestate: 'vendor=abc' });
  });

  it('makes a span without parent metadata a child of the current trace context', () => {
    const { helper, span } = setup();
    helper.traceBlock('process', agent, undefined, () => helper.traceBlock('create', channel, undefined, () => undefined));
    const process = span('process my_agent/default');
    const create = span('create news/default');
    expect(create.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(process.parentSpanContext).toBeUndefined();
  });

  it('continues the handler trace across awaits without a global context manager', async () => {
    const { helper, span } = setup();
    let captured: ReturnType<typeof getTelemetryEnvelopeMetadata>;
    await helper.traceBlock('process', agent, undefined, async () => {
      await tick();
      captured = getTelemetryEnvelopeMetadata();
      await helper.traceBlock('create', channel, undefined, async () => {
        await tick();
      });
    });
    const process = span('process my_agent/default');
    expect(captured!).toEqual({ traceparent: traceparentOf(process) });
    expect(span('create news/default').parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(getTelemetryEnvelopeMetadata()).toBeUndefined();
  });

  it("prefers an application span opened inside a handler, when a context manager is registered", async () => {
    const { helper, provider, span } = setup();
    context.setGlobalContextManager(new TestAsyncContextManager());
    const appTracer = provider.getTracer('app');
    await helper.traceBlock('process', agent, undefined, async () => {
      await tick();
      await appTracer.startActiveSpan('app step', async (appSpan) => {
        await tick();
        helper.traceBlock('create', channel, undefined, () => undefined);
        appSpan.end();
      });
    });
    expect(span('app step').parentSpanContext?.spanId).toBe(span('process my_agent/default').spanContext().spanId);
    expect(span('create news/default').parentSpanContext?.spanId).toBe(span('app step').spanContext().spanId);
  });

  it('ignores malformed parent metadata', () => {
    const { helper, span } = setup();
    helper.traceBlock('send', agent, { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' }, () => undefined);
    expect(span('send my_agent/default').parentSpanContext).toBeUndefined();
  });

  it('records a synchronous exception and rethrows it unchanged', () => {
    const { helper, span } = setup();
    const error = new TypeError('boom');
    expect(() =>
      helper.traceBlock('send', agent, undefined, () => {
        throw error;
      }),
    ).toThrow(error);
    const send = span('send my_agent/default');
    expect(send.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(send.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
      ['exception', 'TypeError', 'boom'],
    ]);
  });

  it('records a rejection and rejects with the same value', async () => {
    const { helper, span } = setup();
    const thrown = { reason: 'not an Error' };
    await expect(helper.traceBlock('process', agent, undefined, () => Promise.reject(thrown))).rejects.toBe(thrown);
    const process = span('process my_agent/default');
    expect(process.status.code).toBe(SpanStatusCode.ERROR);
    expect(process.events).toHaveLength(1);
  });

  it('ends the span only when the returned promise settles', async () => {
    const { helper, spans } = setup();
    let resolve!: (value: string) => void;
    const result = helper.traceBlock('process', agent, undefined, () => new Promise<string>((r) => (resolve = r)));
    await tick();
    expect(spans()).toHaveLength(0);
    resolve('done');
    await expect(result).resolves.toBe('done');
    expect(spans()).toHaveLength(1);
    expect(spans()[0].ended).toBe(true);
  });
});

describe('TraceHelper when tracing is off', () => {
  it(`opens no span when ${DISABLE_ENGINE_TRACING_ENV}=true at construction`, () => {
    const previous = process.env[DISABLE_ENGINE_TRACING_ENV];
    process.env[DISABLE_ENGINE_TRACING_ENV] = 'true';
    let helper: TraceHelper;
    const tracing = inMemoryTracing();
    try {
      helper = new TraceHelper(tracing.provider, config);
    } finally {
      if (previous === undefined) delete process.env[DISABLE_ENGINE_TRACING_ENV];
      else process.env[DISABLE_ENGINE_TRACING_ENV] = previous;
    }
    expect(helper.enabled).toBe(false);
    expect(helper.traceBlock('create', agent, undefined, () => helper.captureMetadata())).toBeUndefined();
    expect(tracing.spans()).toHaveLength(0);
  });

  it('is off while the global provider is the no-op one, and returns fn() itself', () => {
    const helper = new TraceHelper(undefined, config);
    const promise = Promise.resolve(42);
    expect(helper.enabled).toBe(false);
    expect(helper.traceBlock('send', agent, undefined, () => promise)).toBe(promise);
    expect(helper.traceBlock('create', agent, undefined, () => helper.captureMetadata())).toBeUndefined();
    expect(helper.captureMetadata()).toBeUndefined();
  });

  it('treats an explicit provider that delegates to the no-op one as off', () => {
    expect(new TraceHelper(new ProxyTracerProvider(), config).enabled).toBe(false);
  });

  it('turns on once a global provider is registered, and off again when it is removed', () => {
    const helper = new TraceHelper(undefined, config);
    expect(helper.enabled).toBe(false);

    const tracing = inMemoryTracing();
    trace.setGlobalTracerProvider(tracing.provider);
    expect(helper.enabled).toBe(true);
    const metadata = helper.traceBlock('create', agent, undefined, () => helper.captureMetadata());
    expect(metadata?.traceparent).toBe(traceparentOf(tracing.span('create my_agent/default')));

    trace.disable();
    expect(helper.enabled).toBe(false);
  });
});
