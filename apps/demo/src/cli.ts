import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancellationToken, CancelledError, LocalAgentEngine } from '@agentopera/core';
import { AgentCensus } from './agent-census.js';
import { createAgentStateStore } from './agent-state-store.js';
import { createQueueFactory, createTracer, describeQueue } from './components.js';
import { HELP } from './help.js';
import { DEFAULT_EXTENSIONS, findRepoRoot, listInputFiles, requireDirectory } from './input-files.js';
import { LifecycleLog } from './lifecycle-log.js';
import { MessageCounter } from './message-counter.js';
import { runNats } from './nats-run.js';
import { AnalyseRequest, type AnalysisReport } from './messages.js';
import { parseArgs, type DemoOptions } from './options.js';
import { registerPipeline } from './pipeline.js';
import { ProgressLine } from './progress-line.js';
import type { PipelineProgress } from './progress-monitor.js';
import { formatReport } from './report.js';
import type { TextSink } from './text-sink.js';
import { coordinatorId } from './topology.js';
import { UsageError } from './usage-error.js';

export { parseArgs, type DemoOptions } from './options.js';
export { UsageError } from './usage-error.js';
export type { TextSink } from './text-sink.js';

/** Where the demo writes, and the signal that Ctrl-C aborts. */
export interface DemoIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Aborting it cancels the run like Ctrl-C (exit code 130). */
  signal?: AbortSignal;
  /** `--engine nats`: the worker processes' script (tests pass a bundle); default the built one. */
  natsWorkerEntry?: string;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_TIMEOUT = 124;
export const EXIT_INTERRUPTED = 130;

type CancelReason = 'interrupt' | 'timeout';

/** Runs the demo with `argv` (the arguments after the script) and resolves with its exit code. */
export async function main(argv: readonly string[], io: DemoIo): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    return fail(io, error);
  }
  if (options.help) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }

  // One token for the whole run: the coordinator passes it on to every publish and send it makes.
  const token = new CancellationToken();
  let reason: CancelReason | undefined;
  const cancel = (why: CancelReason): void => {
    reason ??= why;
    token.cancel();
  };
  const onAbort = (): void => cancel('interrupt');
  if (io.signal?.aborted) onAbort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => cancel('timeout'), options.timeoutMs);
  try {
    return await run(options, io, token, () => reason);
  } catch (error) {
    return fail(io, error);
  } finally {
    clearTimeout(timer);
    io.signal?.removeEventListener('abort', onAbort);
  }
}

async function run(
  options: DemoOptions,
  io: DemoIo,
  token: CancellationToken,
  cancelReason: () => CancelReason | undefined,
): Promise<number> {
  const started = performance.now();
  const input = options.input === undefined ? findRepoRoot(dirname(fileURLToPath(import.meta.url))) : resolve(options.input);
  await requireDirectory(input);
  const files = await listInputFiles(input, options.input === undefined ? DEFAULT_EXTENSIONS : undefined);
  if (options.engine === 'nats') {
    const result = await runNats(options, { ...io, token, input, files, started, workerEntry: io.natsWorkerEntry });
    if (typeof result === 'number') return result;
    const reason = cancelReason() ?? 'interrupt';
    const { progress } = result;
    io.stderr.write(
      `${reason === 'timeout' ? `timed out after ${options.timeoutMs} ms` : 'cancelled by Ctrl-C'} (${Math.round(performance.now() - started)} ms): ` +
        `${progress.shardsDone}/${progress.shardsTotal} shards and ${progress.filesDone}/${files.length} files analysed; ` +
        'every worker process has exited\n',
    );
    return reason === 'timeout' ? EXIT_TIMEOUT : EXIT_INTERRUPTED;
  }
  const state = createAgentStateStore(options.stateDir, options.maxAgents);

  const warn = (line: string): void => void io.stderr.write(`warning: ${line}\n`);
  const tracer = createTracer(options.tracer, warn);
  const counter = new MessageCounter();
  const census = new AgentCensus();
  const lifecycle = new LifecycleLog(warn);
  const engine = new LocalAgentEngine({
    queue: createQueueFactory(options.queue),
    tracerProvider: tracer.provider,
    interventionHandlers: [counter],
    eventLogger: lifecycle,
    stateStore: state?.store,
    maxActiveAgents: options.maxAgents,
  });
  let progress: PipelineProgress = { shardsTotal: 0, shardsDone: 0, filesTotal: files.length, filesDone: 0 };
  await registerPipeline(engine, census, (update) => (progress = update));

  let report: AnalysisReport;
  try {
    const line = new ProgressLine(
      io.stderr,
      () =>
        `progress: ${progress.shardsDone}/${progress.shardsTotal} shards, ${progress.filesDone}/${progress.filesTotal} files, ` +
        `${counter.processed} messages processed, ${engine.activeAgentCount} agents alive`,
    );
    engine.start();
    line.start();
    try {
      report = await engine.sendMessage<AnalysisReport>(
        new AnalyseRequest(randomUUID(), files, options.shardSize),
        coordinatorId(),
        { cancellationToken: token },
      );
    } catch (error) {
      const reason = cancelReason();
      if (reason === undefined || !(error instanceof CancelledError)) throw error;
      line.stop();
      // Handlers still running see the cancelled token and return; stop() waits for them, and
      // saves the state of every live agent (what each has done so far is true of it).
      await engine.stop();
      const elapsed = Math.round(performance.now() - started);
      io.stderr.write(
        `${reason === 'timeout' ? `timed out after ${options.timeoutMs} ms` : 'cancelled by Ctrl-C'} (${elapsed} ms): ` +
          `${progress.shardsDone}/${progress.shardsTotal} shards and ${progress.filesDone}/${files.length} files analysed, ` +
          `${counter.processed} messages processed, ${census.total} agents activated` +
          `${options.stateDir === undefined ? '' : `; agent state saved ${state?.where}`}\n`,
      );
      return reason === 'timeout' ? EXIT_TIMEOUT : EXIT_INTERRUPTED;
    }
    line.stop();
    await engine.stop();
  } finally {
    // Saves (with a store) and closes every live agent, then lets the store finish its writes.
    await engine.close();
    await state?.store.close();
    await tracer.shutdown();
  }
  // Printed after the tracer is flushed, so that spans written to stdout come before the report.
  io.stdout.write(
    formatReport(report, {
      input,
      shards: progress.shardsTotal,
      queue: describeQueue(options.queue),
      tracer: options.tracer,
      sent: counter.sent,
      published: counter.published,
      agents: census.counts,
      deactivations: lifecycle.describeDeactivations(),
      maxAgents: options.maxAgents,
      state: state && { where: state.where, loaded: state.store.loaded, saved: state.store.saved },
      elapsedMs: performance.now() - started,
      top: options.top,
    }),
  );
  return EXIT_OK;
}

function fail(io: DemoIo, error: unknown): number {
  if (error instanceof UsageError) {
    io.stderr.write(`demo: ${error.message} (see --help)\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILURE;
}
