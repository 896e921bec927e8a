import type { Totals } from './analysis.js';

/** RPC to the coordinator: analyse these files (absolute paths) in shards of `shardSize`. */
export class AnalyseRequest {
  constructor(
    readonly runId: string,
    readonly files: readonly string[],
    readonly shardSize: number,
  ) {}
}

/** Published on the results channel before any shard goes out, so listeners know the run's size. */
export class RunPlanned {
  constructor(
    readonly runId: string,
    readonly shards: number,
    readonly files: number,
  ) {}
}

/** Published on a shard's own channel; the worker keyed by that shard is built on its first one. */
export class ShardAssignment {
  constructor(
    readonly runId: string,
    readonly shardKey: string,
    readonly files: readonly string[],
  ) {}
}

/** A worker's result for one shard, published on the results channel. */
export class ShardAnalysed {
  constructor(
    readonly runId: string,
    readonly shardKey: string,
    readonly totals: Totals,
    /** The worker's own count of files analysed over its whole life (kept in its state), this shard included. */
    readonly workerFilesAnalysed: number,
  ) {}
}

/** RPC to the aggregator: answer once `expectedShards` results of `runId` have arrived. */
export class ReportRequest {
  constructor(
    readonly runId: string,
    readonly expectedShards: number,
  ) {}
}

/** The aggregator's answer: this run's totals and the totals of every run recorded in its state. */
export class AnalysisReport {
  constructor(
    readonly runId: string,
    readonly run: Totals,
    readonly cumulative: Totals,
    /** Runs counted in `cumulative`, this one included. */
    readonly runs: number,
    /** Sum of the lifetime counters of this run's workers (`ShardAnalysed.workerFilesAnalysed`). */
    readonly workerFilesAnalysed: number,
  ) {}
}
