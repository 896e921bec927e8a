/** What one process of a `--engine nats` run hosted and handled. */
export interface ProcessFacts {
  /** `demo` for the coordinating process, `worker-<n>` for the others. */
  readonly name: string;
  readonly pid: number | undefined;
  /** Agents it built, by type. */
  readonly agents: ReadonlyMap<string, number>;
  /** Messages its handlers finished (a publish counts once per agent it reached). */
  readonly handled: number;
  /** False for a worker that exited without sending its counts (they are then unknown). */
  readonly reported?: boolean;
  /** How a worker process ended (`exit 0`, `SIGKILL`); undefined for the demo's own process. */
  readonly exit?: string;
}

/** The report's section on processes: one line each, then the total, for `--engine nats`. */
export function formatProcesses(processes: readonly ProcessFacts[], cluster: string, server: string): string {
  const width = Math.max(0, ...processes.map((process) => process.name.length));
  const lines = [`Processes (cluster ${cluster} on ${server}):`];
  for (const process of processes) {
    const agents = [...process.agents].map(([type, count]) => `${type} ${count}`).join(', ') || 'none';
    const exit = process.exit === undefined ? '' : `, then exited (${process.exit})`;
    const said =
      process.reported === false
        ? `exited (${process.exit ?? '?'}) before sending its counts`
        : `hosted ${agents}; handled ${plural(process.handled, 'message')}${exit}`;
    lines.push(`  ${process.name.padEnd(width)}  pid ${process.pid ?? '?'}: ${said}`);
  }
  const handled = processes.reduce((sum, process) => sum + process.handled, 0);
  const unknown = processes.filter((process) => process.reported === false).length;
  lines.push(
    `  all ${processes.length} processes handled ${unknown > 0 ? 'at least ' : ''}${plural(handled, 'message')} (a publish counts once per agent it reached)`,
  );
  return lines.join('\n') + '\n';
}

/** Agent counts of every process added up, by type, in the order types first appear. */
export function mergeAgentCounts(processes: readonly ProcessFacts[]): Map<string, number> {
  const merged = new Map<string, number>();
  for (const process of processes) for (const [type, count] of process.agents) merged.set(type, (merged.get(type) ?? 0) + count);
  return merged;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
