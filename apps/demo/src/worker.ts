import { readFile, stat } from 'node:fs/promises';
import { RoutedAgent, event, type AgentState, type MessageContext } from '@agentopera/core';
import { addFile, analyseText, emptyTotals, fileTypeOf } from './analysis.js';
import { ShardAnalysed, ShardAssignment } from './messages.js';
import { resultsChannel } from './topology.js';

/** Larger files are skipped: an input folder may hold archives or data dumps. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * Analyses the files of one shard. One worker exists per shard key: the engine builds it on the
 * first assignment published on that shard's channel. Registered as a serial agent, so it
 * handles one assignment at a time; its counter of files analysed is its state, which a state
 * store keeps across deactivations and runs.
 */
export class Worker extends RoutedAgent {
  private filesAnalysed = 0;

  constructor() {
    super('Counts lines, words and terms in the files of one shard');
  }

  @event()
  async analyseShard(assignment: ShardAssignment, ctx: MessageContext): Promise<void> {
    const token = ctx.cancellationToken;
    const totals = emptyTotals();
    for (const file of assignment.files) {
      if (token.isCancelled()) return;
      const text = await readText(file, token.signal);
      if (token.isCancelled()) return;
      if (text === undefined) {
        totals.skipped++;
        continue;
      }
      addFile(totals, fileTypeOf(file), analyseText(text));
    }
    this.filesAnalysed += totals.files;
    await this.publishMessage(new ShardAnalysed(assignment.runId, assignment.shardKey, totals, this.filesAnalysed), resultsChannel(), {
      cancellationToken: token,
    });
  }

  override async saveState(): Promise<AgentState> {
    return { filesAnalysed: this.filesAnalysed };
  }

  override async loadState(state: AgentState): Promise<void> {
    if (typeof state.filesAnalysed === 'number') this.filesAnalysed = state.filesAnalysed;
  }
}

/** The file's text, or `undefined` when it cannot be read, is too large or looks binary. */
async function readText(file: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    if ((await stat(file)).size > MAX_FILE_BYTES) return undefined;
    const text = await readFile(file, { encoding: 'utf8', signal });
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}
