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

interface RunInProgress {
  shards: Map<string, Totals>;
  wake: Set<() => void>;
}

/**
 * Collects the shard results of each run from the results channel and answers the coordinator's
 * report request once all of them are in. Its state (runs and cumulative totals) survives
 * `saveState`/`loadState`, so a resumed run reports totals over every run.
 */
@typeSubscription(RESULTS_TOPIC)
export class Aggregator extends RoutedAgent {
  private runs = 0;
  private cumulative: Totals = emptyTotals();
  private readonly inProgress = new Map<string, RunInProgress>();

  constructor() {
    super('Adds up shard results and reports them');
  }

  @event()
  async runPlanned(message: RunPlanned, _ctx: MessageContext): Promise<void> {
    this.runInProgress(message.runId);
  }

  @event()
  async shardAnalysed(message: ShardAnalysed, _ctx: MessageContext): Promise<void> {
    const run = this.runInProgress(message.runId);
    run.shards.set(message.shardKey, message.totals);
    for (const wake of run.wake) wake();
  }

  @rpc()
  async report(request: ReportRequest, ctx: MessageContext): Promise<AnalysisReport> {
    const run = this.runInProgress(request.runId);
    await waitUntil(run, () => run.shards.size >= request.expectedShards, ctx);
    this.inProgress.delete(request.runId);
    const totals = emptyTotals();
    for (const shard of run.shards.values()) mergeTotals(totals, shard);
    mergeTotals(this.cumulative, totals);
    this.runs++;
    return new AnalysisReport(request.runId, totals, structuredClone(this.cumulative), this.runs);
  }

  override async saveState(): Promise<AgentState> {
    return { runs: this.runs, cumulative: structuredClone(this.cumulative) };
  }

  override async loadState(state: AgentState): Promise<void> {
    const { runs, cumulative } = state;
    if (typeof runs !== 'number' || !Number.isInteger(runs) || runs < 0) {
      throw new AggregatorStateError(`"runs" must be a non-negative integer, got ${JSON.stringify(runs)}`);
    }
    if (!isTotals(cumulative)) throw new AggregatorStateError('"cumulative" does not hold file, line, word and term counts');
    this.runs = runs;
    this.cumulative = structuredClone(cumulative);
  }

  private runInProgress(runId: string): RunInProgress {
    let run = this.inProgress.get(runId);
    if (run === undefined) this.inProgress.set(runId, (run = { shards: new Map(), wake: new Set() }));
    return run;
  }
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
