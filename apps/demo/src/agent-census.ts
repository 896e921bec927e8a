/**
 * Counts the agents the engine builds, by type: one per activation. Without a cap an agent lives
 * until the engine closes; with `--max-agents` the engine deactivates idle ones and builds them
 * again on their next message, which counts again.
 */
export class AgentCensus {
  private readonly byType = new Map<string, number>();

  /** `builder`, counting each agent it builds as one of `type`. */
  counting<T>(type: string, builder: () => T): () => T {
    return () => {
      const agent = builder();
      this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
      return agent;
    };
  }

  get total(): number {
    let total = 0;
    for (const count of this.byType.values()) total += count;
    return total;
  }

  /** Counts per type, in the order types were first built. */
  get counts(): ReadonlyMap<string, number> {
    return this.byType;
  }
}
