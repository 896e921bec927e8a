import { AgentId, MessageChannel } from '@agentopera/core';

/** Agent types of the pipeline. */
export const COORDINATOR = 'coordinator';
export const WORKER = 'worker';
export const AGGREGATOR = 'aggregator';
export const PROGRESS = 'progress';

/** Channel types: one "shard" channel per shard (its source is the shard key), one "results" channel. */
export const SHARD_TOPIC = 'shard';
export const RESULTS_TOPIC = 'results';
/** Source of the results channel, hence the key of the one aggregator and progress monitor. */
export const PIPELINE_KEY = 'pipeline';

export function shardKey(index: number): string {
  return `shard-${index}`;
}

/** The channel a shard's assignment goes to; `TypeSubscription(SHARD_TOPIC, WORKER)` maps it to `worker/<shardKey>`. */
export function shardChannel(key: string): MessageChannel {
  return new MessageChannel(SHARD_TOPIC, key);
}

export function resultsChannel(): MessageChannel {
  return new MessageChannel(RESULTS_TOPIC, PIPELINE_KEY);
}

export const coordinatorId = (): AgentId => new AgentId(COORDINATOR, 'default');
export const aggregatorId = (): AgentId => new AgentId(AGGREGATOR, PIPELINE_KEY);
