import { CancelledError, RoutedAgent, event, rpc, typeSubscription, type AgentState, type MessageContext } from '@agentopera/core';
import { emptyTotals, isTotals, mergeTotals, type Totals } from './analysis.js';
import { AnalysisReport, ReportRequest, RunPlanned, ShardAnalysed } from './messages.js';
import { RESULTS_TOPIC } from './topology.js';

/** Thrown by `loadState` for a saved state that is not the aggregator's. */
export class AggregatorStateError extends Error {
  constructor(detail: string) {
    super(`Invalid aggregator state: ${detail}`);
    this.name = 'AggregatorStateError';
  }
}

/** One shard's result as the aggregator keeps it. */
interface ShardResult {
  totals: Totals;
  workerFilesAnalysed: number;
}

interface RunInProgress {
  shards: Map<string, ShardResult>;
  wake: Set<() => void>;
}

/**
 * Collects the shard results of each run from the results channel and answers the coordinator's
 * report request once all of them are in. Everything it must not lose is in its state: runs and
 * cumulative totals, and the results of runs still in progress, so the engine may deactivate it
 * between two results (over `--max-agents`) and the next instance carries on where it stopped.
 */
@typeSubscription(RESULTS_TOPIC)
export class Aggregator extends RoutedAgent {
  private runs = 0;
  private cumulative: Totals = emptyTotals();
  private inProgress = new Map<string, RunInProgress>();

  constructor() {
    super('Adds up shard results and reports them');
  }

  @event()
  async runPlanned(message: RunPlanned, _ctx: MessageContext): Promise<void> {
    // Runs follow one another: one still open that nobody waits for was cancelled (perhaps by an
    // earlier process whose state this one resumed), and its results will never be asked for.
    for (const [runId, run] of this.inProgress) if (runId !== message.runId && run.wake.size === 0) this.inProgress.delete(runId);
    this.runInProgress(message.runId);
  }

  @event()
  async shardAnalysed(message: ShardAnalysed, _ctx: MessageContext): Promise<void> {
    const run = this.runInProgress(message.runId);
    run.shards.set(message.shardKey, { totals: message.totals, workerFilesAnalysed: message.workerFilesAnalysed });
    for (const wake of run.wake) wake();
  }

  @rpc()
  async report(request: ReportRequest, ctx: MessageContext): Promise<AnalysisReport> {
    const run = this.runInProgress(request.runId);
    await waitUntil(run, () => run.shards.size >= request.expectedShards, ctx);
    this.inProgress.delete(request.runId);
    const totals = emptyTotals();
    let workerFilesAnalysed = 0;
    for (const shard of run.shards.values()) {
      mergeTotals(totals, shard.totals);
      workerFilesAnalysed += shard.workerFilesAnalysed;
    }
    mergeTotals(this.cumulative, totals);
    this.runs++;
    return new AnalysisReport(request.runId, totals, structuredClone(this.cumulative), this.runs, workerFilesAnalysed);
  }

  override async saveState(): Promise<AgentState> {
    const inProgress: Record<string, Record<string, ShardResult>> = {};
    for (const [runId, run] of this.inProgress) inProgress[runId] = Object.fromEntries(structuredClone([...run.shards]));
    return { runs: this.runs, cumulative: structuredClone(this.cumulative), inProgress };
  }

  override async loadState(state: AgentState): Promise<void> {
    const { runs, cumulative, inProgress = {} } = state;
    if (typeof runs !== 'number' || !Number.isInteger(runs) || runs < 0) {
      throw new AggregatorStateError(`"runs" must be a non-negative integer, got ${JSON.stringify(runs)}`);
    }
    if (!isTotals(cumulative)) throw new AggregatorStateError('"cumulative" does not hold file, line, word and term counts');
    this.runs = runs;
    this.cumulative = structuredClone(cumulative);
    this.inProgress = parseInProgress(inProgress);
  }

  private runInProgress(runId: string): RunInProgress {
    let run = this.inProgress.get(runId);
    if (run === undefined) this.inProgress.set(runId, (run = { shards: new Map(), wake: new Set() }));
    return run;
  }
}

function parseInProgress(value: unknown): Map<string, RunInProgress> {
  const runs = new Map<string, RunInProgress>();
  if (!isRecord(value)) throw new AggregatorStateError('"inProgress" must map run ids to shard results');
  for (const [runId, shards] of Object.entries(value)) {
    if (!isRecord(shards)) throw new AggregatorStateError(`"inProgress.${runId}" must map shard keys to results`);
    const run: RunInProgress = { shards: new Map(), wake: new Set() };
    for (const [shardKey, result] of Object.entries(shards)) {
      if (!isRecord(result) || !isTotals(result.totals) || typeof result.workerFilesAnalysed !== 'number') {
        throw new AggregatorStateError(`"inProgress.${runId}.${shardKey}" is not a shard result`);
      }
      run.shards.set(shardKey, { totals: structuredClone(result.totals), workerFilesAnalysed: result.workerFilesAnalysed });
    }
    runs.set(runId, run);
  }
  return runs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves once `done()` holds after a shard arrives; rejects if the request is cancelled first. */
function waitUntil(run: RunInProgress, done: () => boolean, ctx: MessageContext): Promise<void> {
  if (done()) return Promise.resolve();
  if (ctx.cancellationToken.isCancelled()) return Promise.reject(cancelledReport());
  return new Promise<void>((resolve, reject) => {
    const finish = (): void => {
      run.wake.delete(check);
      removeCancel();
    };
    const check = (): void => {
      if (!done()) return;
      finish();
      resolve();
    };
    const removeCancel = ctx.cancellationToken.addCallback(() => {
      finish();
      reject(cancelledReport());
    });
    run.wake.add(check);
  });
}

function cancelledReport(): CancelledError {
  return new CancelledError('The report request was cancelled before every shard arrived');
}
