import { AgentId, CancellationToken, CancelledError, InMemoryStateStore, LocalAgentEngine } from '@agentopera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentCensus } from './agent-census.js';
import { listInputFiles } from './input-files.js';
import type { Totals } from './analysis.js';
import { AnalyseRequest, ReportRequest, RunPlanned, ShardAnalysed, type AnalysisReport } from './messages.js';
import { registerPipeline } from './pipeline.js';
import type { PipelineProgress } from './progress-monitor.js';
import { tempFolder } from './test-utils/fixture.js';
import { aggregatorId, coordinatorId, resultsChannel } from './topology.js';
import { Worker } from './worker.js';

const folders: { remove: () => void }[] = [];
afterEach(() => folders.splice(0).forEach((folder) => folder.remove()));

/** `count` one-line files, so each shard of `shardSize` has a known size. */
async function inputOf(count: number): Promise<string[]> {
  const files: Record<string, string> = {};
  for (let index = 0; index < count; index++) files[`file-${String(index).padStart(3, '0')}.txt`] = `word${index} shared\n`;
  const folder = tempFolder(files);
  folders.push(folder);
  return listInputFiles(folder.dir);
}

async function pipeline(onProgress: (progress: PipelineProgress) => void = () => undefined) {
  const engine = new LocalAgentEngine();
  const census = new AgentCensus();
  await registerPipeline(engine, census, onProgress);
  return { engine, census };
}

describe('the pipeline on the engine', () => {
  it('builds no agent before the first message, then one worker per shard', async () => {
    const files = await inputOf(5);
    const { engine, census } = await pipeline();
    expect(census.total).toBe(0);
    engine.start();
    const report = await engine.sendMessage<AnalysisReport>(new AnalyseRequest('run-1', files, 2), coordinatorId());
    await engine.stop();
    expect(report.run).toMatchObject({ files: 5, lines: 5, words: 10 });
    expect(report.run.byType.txt.terms.shared).toBe(5);
    expect(Object.fromEntries(census.counts)).toEqual({ coordinator: 1, aggregator: 1, progress: 1, worker: 3 });
    const worker = await engine.tryGetUnderlyingAgentInstance(new AgentId('worker', 'shard-2'), Worker);
    expect(await worker.saveState()).toEqual({ filesAnalysed: 1 });
  });

  it('stops the whole run when the token is cancelled mid-way: the caller gets CancelledError, stop() settles', async () => {
    const files = await inputOf(40);
    const token = new CancellationToken();
    const seen: PipelineProgress[] = [];
    const { engine } = await pipeline((progress) => {
      seen.push(progress);
      if (progress.shardsDone === 1) token.cancel();
    });
    engine.start();
    const request = engine.sendMessage(new AnalyseRequest('run-1', files, 1), coordinatorId(), { cancellationToken: token });
    await expect(request).rejects.toBeInstanceOf(CancelledError);
    await engine.stop();
    const last = seen.at(-1)!;
    expect(last.shardsTotal).toBe(40);
    // Workers that had not published when the token was cancelled publish nothing.
    expect(last.shardsDone).toBeLessThan(40);
    await engine.close();
  });

  it('the aggregator keeps the results of a run in progress across a deactivation', async () => {
    const engine = new LocalAgentEngine({ stateStore: new InMemoryStateStore() });
    await registerPipeline(engine, new AgentCensus(), () => undefined);
    const shard = (files: number): Totals => ({ files, lines: files, words: 2 * files, skipped: 0, byType: {} });
    engine.start();
    await engine.publishMessage(new RunPlanned('run-1', 2, 3), resultsChannel());
    await engine.publishMessage(new ShardAnalysed('run-1', 'shard-0', shard(2), 7), resultsChannel());
    await engine.stopWhenIdle();
    // Between two results, as the engine does over --max-agents: saved, closed, dropped.
    expect(await engine.deactivate(aggregatorId())).toBe(true);
    engine.start();
    await engine.publishMessage(new ShardAnalysed('run-1', 'shard-1', shard(1), 1), resultsChannel());
    const report = await engine.sendMessage<AnalysisReport>(new ReportRequest('run-1', 2), aggregatorId());
    await engine.close();
    expect(report.run).toMatchObject({ files: 3, lines: 3, words: 6 });
    expect(report.workerFilesAnalysed).toBe(8);
    expect(engine.lifecycleCounts.deactivated).toBeGreaterThanOrEqual(1);
  });

  it('the aggregator forgets a run that was left unfinished once the next one starts', async () => {
    const engine = new LocalAgentEngine({ stateStore: new InMemoryStateStore() });
    await registerPipeline(engine, new AgentCensus(), () => undefined);
    engine.start();
    await engine.publishMessage(new ShardAnalysed('cancelled-run', 'shard-0', { files: 1, lines: 1, words: 1, skipped: 0, byType: {} }, 1), resultsChannel());
    await engine.publishMessage(new RunPlanned('run-2', 0, 0), resultsChannel());
    await engine.stopWhenIdle();
    const state = await engine.agentSaveState(aggregatorId());
    await engine.close();
    expect(Object.keys(state.inProgress as object)).toEqual(['run-2']);
  });
});
