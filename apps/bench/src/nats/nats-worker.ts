// A worker process of the NATS scenarios: `node nats-worker.js` with NATS_URL, CLUSTER, SINKS and
// PARTITIONS in its environment. It hosts `echo` (answers what it is sent) and SINKS counting
// types for the fan-out, and reports its counts over IPC.
import { BaseAgent, type MessageContext } from '@agentopera/core';
import { NatsAgentEngine } from '@agentopera/nats';
import { BENCH_SERIALIZERS } from './messages.js';

class EchoAgent extends BaseAgent {
  constructor() {
    super('echo');
  }
  protected async onMessageImpl(message: unknown, _ctx: MessageContext): Promise<unknown> {
    return message;
  }
}

let delivered = 0;
class SinkAgent extends BaseAgent {
  constructor() {
    super('sink');
  }
  protected async onMessageImpl(): Promise<unknown> {
    delivered++;
    return undefined;
  }
}

const env = process.env;
const url = env['NATS_URL'];
const cluster = env['CLUSTER'];
if (url === undefined || cluster === undefined) throw new Error('nats-worker needs NATS_URL and CLUSTER in its environment');
const engine = await NatsAgentEngine.connect({
  servers: url,
  cluster,
  partitions: Number(env['PARTITIONS'] ?? 16),
  processName: 'bench-worker',
});
engine.registerMsgSerializer(BENCH_SERIALIZERS);
await engine.registerAgentBuilder('echo', () => new EchoAgent());
for (let i = 0; i < Number(env['SINKS'] ?? 0); i++) await engine.registerAgentBuilder(`sink${i}`, () => new SinkAgent());
await engine.start();
const send = (message: Record<string, unknown>): void => {
  if (process.connected) process.send?.(message);
};
send({ type: 'ready', processId: engine.processId, slots: engine.ownedPartitions });
setInterval(() => send({ type: 'count', delivered, slots: engine.ownedPartitions }), 20).unref();
process.on('disconnect', () => process.exit(0));
