import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, MessageChannel } from '@agentopera/types';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

function tracedEngine() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { engine: new LocalAgentEngine({ tracerProvider: provider }), exporter };
}

function operation(span: ReadableSpan): string {
  return span.name.split(' ')[0]!;
}

function parentOf(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan | undefined {
  const parentId = span.parentSpanContext?.spanId;
  return spans.find((candidate) => candidate.spanContext().spanId === parentId);
}

/** The operations from `span` up to its root, e.g. ['ack', 'process', 'send', 'create']. */
function chain(span: ReadableSpan, spans: readonly ReadableSpan[]): string[] {
  const names: string[] = [];
  for (let current: ReadableSpan | undefined = span; current; current = parentOf(current, spans)) names.push(operation(current));
  return names;
}

describe('tracing', () => {
  it('traces a send as create -> send -> process -> ack in one trace', async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.sendMessage('m', new AgentId('echo', 'k'));
    await engine.stopWhenIdle();
    const spans = exporter.getFinishedSpans();
    const ack = spans.find((s) => operation(s) === 'ack')!;
    expect(chain(ack, spans)).toEqual(['ack', 'process', 'send', 'create']);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const process = spans.find((s) => operation(s) === 'process')!;
    expect(process.name).toContain('echo/k');
    expect(process.attributes['messaging.destination.name']).toBe('echo/k');
  });

  it('ends every span of an RPC before the caller sees its result (a shutdown right after exports them all)', async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.sendMessage('m', new AgentId('echo', 'k'));
    // No stopWhenIdle, no extra ticks: the finished spans are read at once.
    expect(exporter.getFinishedSpans().map(operation).sort()).toEqual(['ack', 'create', 'process', 'send']);
    await engine.stop();
  });

  it('ends the spans of a failed RPC before the caller sees the error', async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('fails', () => new TestAgent(() => Promise.reject(new Error('boom'))));
    engine.start();
    await expect(engine.sendMessage('m', new AgentId('fails', 'k'))).rejects.toThrow('boom');
    expect(exporter.getFinishedSpans().map(operation).sort()).toEqual(['create', 'process', 'send']);
    await engine.stop();
  });

  it("names the destination of an outside caller's ack", async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.sendMessage('m', new AgentId('echo', 'k'));
    const ack = exporter.getFinishedSpans().find((s) => operation(s) === 'ack')!;
    expect(ack.name).toBe('ack caller of echo/k');
    await engine.stop();
  });

  it('traces a publish as create -> publish -> one process per recipient', async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('a', () => new TestAgent());
    await engine.registerAgentBuilder('b', () => new TestAgent());
    await engine.subscribe(new TypeSubscription('t', 'a'));
    await engine.subscribe(new TypeSubscription('t', 'b'));
    engine.start();
    await engine.publishMessage('m', new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
    const spans = exporter.getFinishedSpans();
    const processes = spans.filter((s) => operation(s) === 'process');
    expect(processes.map((s) => s.attributes['messaging.destination.name']).sort()).toEqual(['a/k', 'b/k']);
    for (const process of processes) expect(chain(process, spans)).toEqual(['process', 'publish', 'create']);
  });

  it('continues the handler trace when a handler sends further messages (no global context manager)', async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('inner', () => new TestAgent());
    await engine.registerAgentBuilder('outer', () =>
      new TestAgent(async (m, _ctx, self) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return self.engine.sendMessage(m, new AgentId('inner', 'k'), { sender: self.id });
      }),
    );
    engine.start();
    await engine.sendMessage('m', new AgentId('outer', 'k'));
    await engine.stopWhenIdle();
    const spans = exporter.getFinishedSpans();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const innerProcess = spans.find((s) => s.name.startsWith('process') && s.name.includes('inner/k'))!;
    expect(chain(innerProcess, spans)).toEqual(['process', 'send', 'create', 'process', 'send', 'create']);
  });

  it('records handler errors on the spans', async () => {
    const { engine, exporter } = tracedEngine();
    await engine.registerAgentBuilder('bad', () =>
      new TestAgent(() => {
        throw new Error('traced failure');
      }),
    );
    engine.start();
    await expect(engine.sendMessage('m', new AgentId('bad', 'k'))).rejects.toThrow('traced failure');
    await engine.stop();
    const process = exporter.getFinishedSpans().find((s) => operation(s) === 'process')!;
    expect(process.status.code).toBe(2);
  });

  describe('provider selection', () => {
    afterEach(() => {
      trace.disable();
      delete process.env['AGENTOPERA_DISABLE_ENGINE_TRACING'];
    });

    async function sendOnce(engine: LocalAgentEngine): Promise<void> {
      await engine.registerAgentBuilder('echo', () => new TestAgent());
      engine.start();
      await engine.sendMessage('m', new AgentId('echo', 'k'));
      await engine.stopWhenIdle();
    }

    it('uses the global provider when no tracerProvider option is given', async () => {
      const exporter = new InMemorySpanExporter();
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
      await sendOnce(new LocalAgentEngine());
      expect(exporter.getFinishedSpans().map(operation).sort()).toEqual(['ack', 'create', 'process', 'send']);
    });

    it('emits no spans when AGENTOPERA_DISABLE_ENGINE_TRACING=true at construction', async () => {
      process.env['AGENTOPERA_DISABLE_ENGINE_TRACING'] = 'true';
      const { engine, exporter } = tracedEngine();
      delete process.env['AGENTOPERA_DISABLE_ENGINE_TRACING'];
      await sendOnce(engine);
      expect(exporter.getFinishedSpans()).toEqual([]);
    });
  });
});
