import { DefaultSubscription, RoutedAgent, event, subscriptionFactory, type AgentState, type MessageContext } from '@agentopera/core';
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
 * registration in progress, so the class names only the channel type. Its counts are its state:
 * deactivated mid-run (over `--max-agents`), the next instance goes on counting from them.
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

  override async saveState(): Promise<AgentState> {
    return { ...this.progress };
  }

  override async loadState(state: AgentState): Promise<void> {
    const { shardsTotal, shardsDone, filesTotal, filesDone } = state;
    const counts = [shardsTotal, shardsDone, filesTotal, filesDone];
    if (counts.every((count): count is number => typeof count === 'number')) {
      this.progress = { shardsTotal: counts[0], shardsDone: counts[1], filesTotal: counts[2], filesDone: counts[3] };
    }
  }

  private update(progress: PipelineProgress): void {
    this.progress = progress;
    this.onProgress({ ...progress });
  }
}
