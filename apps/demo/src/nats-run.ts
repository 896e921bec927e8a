import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassJsonMessageSerializer, TypeSubscription, type CancellationToken } from '@agentopera/core';
import { NatsAgentEngine } from '@agentopera/nats';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AgentCensus } from './agent-census.js';
import { Aggregator } from './aggregator.js';
import { removeCluster } from './cluster-cleanup.js';
import { createTracer } from './components.js';
import { Coordinator } from './coordinator.js';
import { MessageCounter } from './message-counter.js';
import { AnalyseRequest, ShardAssignment, type AnalysisReport } from './messages.js';
import { openNatsServer } from './nats-server-process.js';
import type { DemoOptions } from './options.js';
import { formatProcesses, mergeAgentCounts, type ProcessFacts } from './process-report.js';
import { ProgressLine } from './progress-line.js';
import { ProgressMonitor, type PipelineProgress } from './progress-monitor.js';
import { formatReport } from './report.js';
import type { TextSink } from './text-sink.js';
import { AGGREGATOR, COORDINATOR, coordinatorId, PROGRESS, SHARD_TOPIC, WORKER } from './topology.js';
import { totalsSerializers } from './totals-wire.js';
import { UsageError } from './usage-error.js';
import { WorkerProcesses, type WorkerProcessReport } from './worker-processes.js';

/** What `runNats` needs from the command line besides the options. */
export interface NatsRunContext {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** The run's token: Ctrl-C and --timeout cancel it. */
  readonly token: CancellationToken;
  /** The analysed folder and its files. */
  readonly input: string;
  readonly files: readonly string[];
  readonly started: number;
  /** The worker processes' script; default: the built nats-worker-main.js next to this file. */
  readonly workerEntry?: string;
}

/** What a cancelled run had done, for the command line's message. */
export interface NatsRunCancelled {
  readonly cancelled: true;
  readonly progress: PipelineProgress;
}

/**
 * `--engine nats`: the same pipeline on `NatsAgentEngine`. This process hosts the coordinator,
 * the aggregator and the progress monitor (one agent each, holding the run's in-memory state and
 * the progress line); `options.workers` child processes host the `worker` type, one agent per
 * shard spread over them by partition. Resolves with the exit code, or `NatsRunCancelled` when
 * the token was cancelled, after every worker process and a server it started have exited.
 */
export async function runNats(options: DemoOptions, context: NatsRunContext): Promise<number | NatsRunCancelled> {
  if (options.stateDir !== undefined || options.maxAgents !== undefined) {
    throw new UsageError('--state-dir and --max-agents work with --engine local only (the nats engine keeps agent state in the cluster)');
  }
  if (options.queue.kind !== 'fifo') throw new UsageError('--queue works with --engine local only (the nats engine queues in JetStream)');
  const { stdout, stderr, token, files } = context;
  const server = await openNatsServer();
  // A fresh cluster per run: a shared NATS_URL server may hold other runs' streams.
  const cluster = `demo-${randomBytes(4).toString('hex')}`;
  const warn = (line: string): void => void stderr.write(`warning: ${line}\n`);
  const tracer = createTracer(options.tracer, warn);
  const counter = new MessageCounter();
  const census = new AgentCensus();
  let workers: WorkerProcesses | undefined;
  let engine: NatsAgentEngine | undefined;
  // The demo's own connection, kept open after the engine closes to remove the cluster.
  let nc: NatsConnection | undefined;
  let tracerDone = false;
  let progress: PipelineProgress = { shardsTotal: 0, shardsDone: 0, filesTotal: files.length, filesDone: 0 };
  try {
    const entry = context.workerEntry ?? join(dirname(fileURLToPath(import.meta.url)), 'nats-worker-main.js');
    workers = new WorkerProcesses(entry, options.workers, server.url, cluster);
    nc = await connect({ servers: server.url, maxReconnectAttempts: -1 });
    engine = await NatsAgentEngine.connect({
      connection: nc,
      cluster,
      processName: 'demo',
      // A large input may take longer than the default 30 s; Ctrl-C, --timeout and the loss of
      // every worker end a run instead.
      rpcTimeoutMs: 2 ** 31 - 1,
      tracerProvider: tracer.provider,
      interventionHandlers: [counter],
    });
    // Before the agents, so that they take these instead of the default JSON ones (see totals-wire.ts).
    engine.registerMsgSerializer(totalsSerializers());
    await Coordinator.register(engine, COORDINATOR, census.counting(COORDINATOR, () => new Coordinator()));
    await Aggregator.register(engine, AGGREGATOR, census.counting(AGGREGATOR, () => new Aggregator()));
    await ProgressMonitor.register(engine, PROGRESS, census.counting(PROGRESS, () => new ProgressMonitor((update) => (progress = update))));
    // The coordinator publishes assignments to a type hosted elsewhere: it needs their serializer.
    engine.registerMsgSerializer(new ClassJsonMessageSerializer(ShardAssignment));
    // Cluster-wide: channel "shard"/<key> goes to worker/<key>, in whichever process owns it.
    await engine.subscribe(new TypeSubscription(SHARD_TOPIC, WORKER, 'demo-shards-to-workers'));
    await engine.start();
    try {
      await workers.ready(token.signal);
    } catch (error) {
      if (token.isCancelled()) return { cancelled: true, progress };
      throw error;
    }
    // Losing a worker is survivable (its partitions fail over); losing every one is not.
    let lost = 0;
    let allLost: (error: Error) => void = () => {};
    const everyWorkerLost = new Promise<never>((_, reject) => (allLost = reject));
    everyWorkerLost.catch(() => {});
    workers.onEarlyExit((name, exit) => {
      if (++lost < options.workers) warn(`${name} exited (${exit}) during the run; the cluster moves its agents to the other workers`);
      else allLost(new Error(`every worker process exited during the run (the last: ${name}, ${exit})`));
    });

    const line = new ProgressLine(
      stderr,
      () =>
        `progress: ${progress.shardsDone}/${progress.shardsTotal} shards, ${progress.filesDone}/${progress.filesTotal} files, ` +
        `${engine?.counts.handled ?? 0} messages handled here, ${options.workers} worker processes`,
    );
    line.start();
    let report: AnalysisReport;
    try {
      report = await Promise.race([
        engine.sendMessage<AnalysisReport>(new AnalyseRequest(randomUUID(), files, options.shardSize), coordinatorId(), {
          cancellationToken: token,
        }),
        everyWorkerLost,
      ]);
    } catch (error) {
      line.stop();
      if (!token.isCancelled()) throw error;
      return { cancelled: true, progress };
    }
    line.stop();

    const reports = await workers.stop();
    await engine.close();
    const processes: ProcessFacts[] = [
      { name: 'demo', pid: process.pid, agents: census.counts, handled: engine.counts.handled },
      ...reports.map(({ name, pid, agents, handled, reported, exit }) => ({ name, pid, agents, handled, reported, exit })),
    ];
    const output =
      formatReport(report, {
        input: context.input,
        shards: progress.shardsTotal,
        queue: 'JetStream',
        tracer: options.tracer,
        sent: counter.sent + sum(reports, (worker) => worker.sent),
        published: counter.published + sum(reports, (worker) => worker.published),
        agents: mergeAgentCounts(processes),
        deactivations: 'none',
        maxAgents: undefined,
        state: undefined,
        elapsedMs: performance.now() - context.started,
        top: options.top,
      }) +
      '\n' +
      formatProcesses(processes, cluster, server.started ? `${server.url}, a nats-server started by the demo` : server.url);
    tracerDone = true;
    await tracer.shutdown();
    stdout.write(output);
    return 0;
  } finally {
    // Whatever happened, nothing of this run outlives it: workers, then our engine, then the server.
    await workers?.kill();
    // A failed run may leave a handler waiting (the aggregator for shards that never came), and
    // closing waits for running handlers: give it a moment, then go on.
    if (engine !== undefined) await closeWithin(engine, CLOSE_TIMEOUT_MS);
    if (nc !== undefined) {
      // A server the demo started goes with its store; a shared one keeps only what it had.
      if (!server.started) {
        const left = await removeCluster(nc, cluster).catch((error: unknown) => [String(error)]);
        if (left.length > 0) warn(`could not remove cluster ${cluster} from ${server.url}: ${left.join(', ')}`);
      }
      await nc.close().catch(() => {});
    }
    await server.close();
    if (!tracerDone) await tracer.shutdown();
  }
}

const CLOSE_TIMEOUT_MS = 3_000;

function closeWithin(engine: NatsAgentEngine, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    engine.close().catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}

function sum(reports: readonly WorkerProcessReport[], count: (report: WorkerProcessReport) => number): number {
  return reports.reduce((total, report) => total + count(report), 0);
}
