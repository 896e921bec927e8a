import { AgentId, AsyncQueue, LocalAgentEngine, MessageChannel, TypeSubscription, type LocalAgentEngineOptions } from '@agentopera/core';
import { CountingAgent, DeliveryCounter, EchoAgent } from './echo-agent.js';
import type { FanOutTarget, RpcTarget } from './rpc-target.js';

export type EngineFlavour = 'default' | 'bounded' | 'otel' | 'serial';

async function engineOptions(flavour: EngineFlavour): Promise<LocalAgentEngineOptions> {
  if (flavour === 'bounded') return { queue: () => new AsyncQueue(1024) };
  if (flavour === 'otel') {
    // Spans are built, ended and handed to an exporter that drops them: the engine's share of tracing.
    const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const exporter = {
      export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }),
      shutdown: async () => {},
    };
    return { tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) };
  }
  return {};
}

export async function engineRpc(flavour: EngineFlavour): Promise<RpcTarget> {
  const engine = new LocalAgentEngine(await engineOptions(flavour));
  // 'serial': the same echo agent, taking its messages one turn at a time.
  await EchoAgent.register(engine, 'echo', () => new EchoAgent(), { concurrency: flavour === 'serial' ? 'serial' : 'concurrent' });
  engine.start();
  const id = new AgentId('echo', 'default');
  return {
    call: (value) => engine.sendMessage<number>(value, id),
    close: () => engine.stop(),
  };
}

export async function engineFanOut(subscribers: number): Promise<FanOutTarget> {
  const engine = new LocalAgentEngine();
  const counter = new DeliveryCounter();
  for (let i = 0; i < subscribers; i++) {
    const type = `sink${i}`;
    await engine.registerAgentBuilder(type, () => new CountingAgent(counter));
    await engine.subscribe(new TypeSubscription('fan', type));
  }
  engine.start();
  const channel = new MessageChannel('fan', 'default');
  return {
    publishBatch: async (count) => {
      for (let i = 0; i < count; i++) await engine.publishMessage(i, channel);
      await counter.waitFor(count * subscribers);
    },
    close: () => engine.stop(),
  };
}
