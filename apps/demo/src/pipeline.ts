import { TypeSubscription, type LocalAgentEngine } from '@agentopera/core';
import type { AgentCensus } from './agent-census.js';
import { Aggregator } from './aggregator.js';
import { Coordinator } from './coordinator.js';
import { ProgressMonitor, type PipelineProgress } from './progress-monitor.js';
import { AGGREGATOR, COORDINATOR, PROGRESS, SHARD_TOPIC, WORKER } from './topology.js';
import { Worker } from './worker.js';

/**
 * Registers the pipeline's agent types. Nothing is built here: each agent is activated by the
 * engine on its first message (and again after a deactivation), and `census` counts activations
 * by type as they happen.
 */
export async function registerPipeline(
  engine: LocalAgentEngine,
  census: AgentCensus,
  onProgress: (progress: PipelineProgress) => void,
): Promise<void> {
  await Coordinator.register(engine, COORDINATOR, census.counting(COORDINATOR, () => new Coordinator()));
  // Serial: one assignment at a time per worker, in the order they were published.
  await Worker.register(engine, WORKER, census.counting(WORKER, () => new Worker()), { concurrency: 'serial' });
  // Channel "shard"/<key> goes to agent worker/<key>: one lazily built worker per shard.
  await engine.subscribe(new TypeSubscription(SHARD_TOPIC, WORKER));
  await Aggregator.register(engine, AGGREGATOR, census.counting(AGGREGATOR, () => new Aggregator()));
  await ProgressMonitor.register(engine, PROGRESS, census.counting(PROGRESS, () => new ProgressMonitor(onProgress)));
}
