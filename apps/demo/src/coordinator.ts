import { RoutedAgent, rpc, type MessageContext } from '@agentopera/core';
import { throwIfCancelled } from './cancelled.js';
import { AnalyseRequest, AnalysisReport, ReportRequest, RunPlanned, ShardAssignment } from './messages.js';
import { aggregatorId, resultsChannel, shardChannel, shardKey } from './topology.js';

/** Splits `files` into consecutive shards of at most `shardSize` files. */
export function splitIntoShards<T>(files: readonly T[], shardSize: number): T[][] {
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new RangeError(`Shard size must be a positive integer, got ${shardSize}`);
  }
  const shards: T[][] = [];
  for (let start = 0; start < files.length; start += shardSize) shards.push(files.slice(start, start + shardSize));
  return shards;
}

/**
 * Runs one analysis: announces the run, publishes each shard on its own channel (which builds
 * one worker per shard) and then asks the aggregator for the report by RPC. Every step carries
 * the caller's cancellation token, so Ctrl-C or --timeout stops the whole pipeline.
 */
export class Coordinator extends RoutedAgent {
  constructor() {
    super('Splits the input into shards and asks for the final report');
  }

  @rpc()
  async analyse(request: AnalyseRequest, ctx: MessageContext): Promise<AnalysisReport> {
    const token = ctx.cancellationToken;
    const shards = splitIntoShards(request.files, request.shardSize);
    const options = { cancellationToken: token };
    await this.publishMessage(new RunPlanned(request.runId, shards.length, request.files.length), resultsChannel(), options);
    for (const [index, files] of shards.entries()) {
      throwIfCancelled(token, 'The analysis');
      const key = shardKey(index);
      await this.publishMessage(new ShardAssignment(request.runId, key, files), shardChannel(key), options);
    }
    return this.sendMessage<AnalysisReport>(new ReportRequest(request.runId, shards.length), aggregatorId(), options);
  }
}
