import { topTerms, type Totals, type TypeStats } from './analysis.js';
import type { AnalysisReport } from './messages.js';

/** What the command line knows about a finished run besides the aggregator's report. */
export interface RunFacts {
  input: string;
  shards: number;
  queue: string;
  tracer: string;
  sent: number;
  published: number;
  /** Agents activated (built) per type. */
  agents: ReadonlyMap<string, number>;
  /** Deactivations by reason, e.g. `"37 over the cap, 4 at close"`. */
  deactivations: string;
  maxAgents: number | undefined;
  /** Where agent state was kept and for how many agents it was loaded and saved; undefined: no store. */
  state: { where: string; loaded: number; saved: number } | undefined;
  elapsedMs: number;
  top: number;
}

/** The final report printed on stdout. */
export function formatReport(report: AnalysisReport, facts: RunFacts): string {
  const { run, cumulative, runs } = report;
  const lines = [
    `Document analysis of ${facts.input}`,
    `  ${run.files + run.skipped} files (${run.skipped} skipped) in ${facts.shards} shards, queue ${facts.queue}, tracer ${facts.tracer}`,
    '',
    `This run: ${summary(run)}`,
    ...typeLines(run, facts.top),
  ];
  if (runs > 1) lines.push('', `All ${runs} runs: ${summary(cumulative)}`, ...typeLines(cumulative, facts.top));
  const agentCounts = [...facts.agents].map(([type, count]) => `${type} ${count}`).join(', ');
  const agentTotal = [...facts.agents.values()].reduce((sum, count) => sum + count, 0);
  const cap = facts.maxAgents === undefined ? '' : ` (--max-agents ${facts.maxAgents})`;
  lines.push(
    '',
    `Messages: ${facts.sent} sent (RPC), ${facts.published} published, ${facts.sent + facts.published} processed`,
    `Agents: ${agentTotal} activated${agentCounts ? ` (${agentCounts})` : ''}; deactivated: ${facts.deactivations}${cap}`,
  );
  const state = facts.state;
  if (state !== undefined) {
    lines.push(
      `State ${state.where}: loaded for ${state.loaded} agents, saved for ${state.saved}`,
      `  workers' own counters (in their state): ${report.workerFilesAnalysed} files analysed over their lifetimes, ${run.files} in this run`,
    );
  }
  lines.push(`Elapsed: ${Math.round(facts.elapsedMs)} ms`);
  return lines.join('\n') + '\n';
}

function summary(totals: Totals): string {
  return `${totals.files} files, ${totals.lines} lines, ${totals.words} words`;
}

/** One line per file type, most files first: its counts and its top terms. */
function typeLines(totals: Totals, top: number): string[] {
  const types = Object.entries(totals.byType).sort(([a, statsA], [b, statsB]) => statsB.files - statsA.files || (a < b ? -1 : 1));
  const width = Math.max(0, ...types.map(([type]) => type.length));
  return types.map(([type, stats]) => `  ${type.padEnd(width)}  ${counts(stats)}  top: ${terms(stats, top)}`);
}

function counts(stats: TypeStats): string {
  return `${stats.files} files, ${stats.lines} lines, ${stats.words} words`;
}

function terms(stats: TypeStats, top: number): string {
  const best = topTerms(stats.terms, top);
  return best.length === 0 ? '(none)' : best.map(([term, count]) => `${term} ${count}`).join(', ');
}
