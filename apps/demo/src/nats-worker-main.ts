// A worker process of `--engine nats`: it joins the demo's cluster, hosts the `worker` agent type
// (one agent per shard, built on its first assignment) and, when told to stop or when the demo
// goes away, closes its engine and reports what it hosted and handled.
import { NatsAgentEngine } from '@agentopera/nats';
import { AgentCensus } from './agent-census.js';
import { MessageCounter } from './message-counter.js';
import { totalsSerializers } from './totals-wire.js';
import type { WorkerCommand, WorkerEvent } from './nats-worker-protocol.js';
import { WORKER_ENV } from './nats-worker-protocol.js';
import { WORKER } from './topology.js';
import { Worker } from './worker.js';

/** After this long in shutdown the process exits anyway: it must never outlive the demo. */
const EXIT_DEADLINE_MS = 10_000;

const tell = (event: WorkerEvent): void => {
  if (process.connected) process.send?.(event);
};

// Ctrl-C in a terminal reaches every process of the group: the demo cancels the run and stops its
// workers itself, so a worker does not die under a message it is handling.
process.on('SIGINT', () => {});

const server = process.env[WORKER_ENV.server];
const cluster = process.env[WORKER_ENV.cluster];
const name = process.env[WORKER_ENV.name] ?? 'worker';
if (!server || !cluster || !process.send) {
  process.stderr.write(`this is a worker process of the demo's --engine nats; the demo starts it (${WORKER_ENV.server} and ${WORKER_ENV.cluster} are not set)\n`);
  process.exit(2);
}

let stopping: Promise<void> | undefined;
const census = new AgentCensus();
// Sends and publishes are counted where they are made: these are the shard results it published.
const counter = new MessageCounter();
let engine: NatsAgentEngine | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    setTimeout(() => process.exit(1), EXIT_DEADLINE_MS).unref();
    let code = 0;
    if (engine !== undefined) {
      try {
        await engine.close();
      } catch (error) {
        tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        code = 1;
      }
      tell({
        type: 'stats',
        processId: engine.processId,
        agents: Object.fromEntries(census.counts),
        handled: engine.counts.handled,
        sent: counter.sent,
        published: counter.published,
      });
    }
    // Let the last IPC message go out before exiting.
    setTimeout(() => process.exit(code), 20);
  })();
  return stopping;
}

process.on('message', (command: WorkerCommand) => {
  if (command.type === 'stop') void stop();
});
// The demo is gone (killed, crashed): nobody will tell us to stop.
process.on('disconnect', () => void stop());

try {
  engine = await NatsAgentEngine.connect({ servers: server, cluster, processName: name, interventionHandlers: [counter] });
  // Registering Worker covers what it handles; what it publishes (ShardAnalysed) needs its own.
  engine.registerMsgSerializer(totalsSerializers());
  await Worker.register(engine, WORKER, census.counting(WORKER, () => new Worker()));
  await engine.start();
  tell({ type: 'ready', processId: engine.processId });
} catch (error) {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  await stop();
}
