// A worker process for the multi-process tests of NatsAgentEngine: it hosts the agent types of
// test-utils/test-agents.ts and reports over IPC what its agents do (turn start and end, with
// wall-clock times, so the test can check that no agent ever ran in two processes at once).
import { NatsAgentEngine } from '../engine/nats-agent-engine.js';
import { AgentId } from '@agentopera/types';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Increment, registerTestAgents, registerTestSerializers, type TurnReport } from './test-agents.js';

const env = process.env;
// CLOCK_SKEW_MS moves this process's wall clock against the test's, as a host's clock may drift.
const skewMs = Number(env['CLOCK_SKEW_MS'] ?? 0);
if (skewMs !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skewMs;
}
const report = (event: Record<string, unknown>): void => {
  if (process.connected) process.send?.(event);
};

// With TRACE=1 its spans go to the test over IPC, so one trace can be checked across processes.
const tracerProvider =
  env['TRACE'] === '1'
    ? new BasicTracerProvider({
        spanProcessors: [
          new SimpleSpanProcessor({
            export(spans, done) {
              for (const span of spans) {
                const { traceId, spanId } = span.spanContext();
                report({ type: 'span', name: span.name, traceId, spanId, parentSpanId: span.parentSpanContext?.spanId });
              }
              done({ code: 0 });
            },
            shutdown: async () => {},
          }),
        ],
      })
    : undefined;

const engine = await NatsAgentEngine.connect({
  tracerProvider,
  servers: env['NATS_SERVER']!.split(','),
  cluster: env['CLUSTER']!,
  partitions: Number(env['PARTITIONS'] ?? 4),
  replicas: Number(env['REPLICAS'] ?? 1),
  timings: JSON.parse(env['TIMINGS'] ?? '{}'),
  rpcTimeoutMs: Number(env['RPC_TIMEOUT_MS'] ?? 10_000),
  processName: env['NAME'] ?? 'worker',
});
await registerTestAgents(engine, {
  processId: engine.processId,
  turnMs: Number(env['TURN_MS'] ?? 0),
  onTurn: (turn: TurnReport) => report({ type: 'turn', ...turn }),
  onTurnStart: (agent, messageId) => report({ type: 'turn-start', agent, messageId }),
  onBuild: (agent) => report({ type: 'built', agent, processId: engine.processId }),
  onWait: (what) => report({ type: what }),
});
registerTestSerializers(engine);
await engine.start();
report({ type: 'ready', processId: engine.processId });
setInterval(() => report({ type: 'status', owned: engine.ownedPartitions.length, slots: engine.ownedPartitions, ...engine.counts }), 200).unref();

process.on('message', (command: { type: string; key?: string; count?: number }) => {
  if (command.type === 'send') {
    // Concurrent increments from this process, as another client of the cluster would send them.
    const target = new AgentId('counter', command.key ?? 'k');
    void Promise.allSettled(Array.from({ length: command.count ?? 1 }, () => engine.sendMessage<number>(new Increment(1), target))).then((results) =>
      report({ type: 'sent', results: results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))) }),
    );
  }
  if (command.type === 'stop') {
    void engine
      .close()
      .catch((error: unknown) => report({ type: 'error', message: String(error) }))
      .finally(() => {
        report({ type: 'stopped' });
        setTimeout(() => process.exit(0), 50);
      });
  }
});
