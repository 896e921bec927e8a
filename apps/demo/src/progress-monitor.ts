import { DefaultSubscription, RoutedAgent, event, subscriptionFactory, type MessageContext } from '@agentopera/core';
import { RunPlanned, ShardAnalysed } from './messages.js';
import { RESULTS_TOPIC } from './topology.js';

/** How far the current run has got. */
export interface PipelineProgress {
  shardsTotal: number;
  shardsDone: number;
  filesTotal: number;
  filesDone: number;
}

/**
 * Follows the results channel next to the aggregator and hands each change to `onProgress`
 * (the command line's progress line). `DefaultSubscription` takes its agent type from the
 * registration in progress, so the class names only the channel type.
 */
@subscriptionFactory(() => [new DefaultSubscription(RESULTS_TOPIC)])
export class ProgressMonitor extends RoutedAgent {
  private progress: PipelineProgress = { shardsTotal: 0, shardsDone: 0, filesTotal: 0, filesDone: 0 };

  constructor(private readonly onProgress: (progress: PipelineProgress) => void) {
    super('Reports how many shards and files are done');
  }

  @event()
  async runPlanned(message: RunPlanned, _ctx: MessageContext): Promise<void> {
    this.update({ shardsTotal: message.shards, shardsDone: 0, filesTotal: message.files, filesDone: 0 });
  }

  @event()
  async shardAnalysed(message: ShardAnalysed, _ctx: MessageContext): Promise<void> {
    const { totals } = message;
    this.update({
      ...this.progress,
      shardsDone: this.progress.shardsDone + 1,
      filesDone: this.progress.filesDone + totals.files + totals.skipped,
    });
  }

  private update(progress: PipelineProgress): void {
    this.progress = progress;
    this.onProgress({ ...progress });
  }
}
