/** The `code` of the process warning a failing event logger or tracer raises. */
export const USER_CODE_FAILED_WARNING = 'AGENTOPERA_TELEMETRY_FAILED';

/** How often a `UserCodeFailureWarning` may speak: once, then at most once per this many ms. */
const WARNING_INTERVAL_MS = 60_000;

/**
 * Reports failures of user code the engine calls for its own telemetry (an `EventLogger`, a
 * tracer provider) as process warnings (`process.on('warning')`, stderr by default), never by
 * throwing into the engine: the engine's bookkeeping must run whatever they do. The first failure
 * is reported at once; later ones at most once a minute, with how many were left unsaid.
 */
export class UserCodeFailureWarning {
  private lastWarnedAt = -Infinity;
  private unsaid = 0;

  /** @param what names the user code, e.g. `"the event logger"`. */
  constructor(private readonly what: string) {}

  report(operation: string, error: unknown): void {
    const now = performance.now();
    if (now - this.lastWarnedAt < WARNING_INTERVAL_MS) {
      this.unsaid++;
      return;
    }
    this.lastWarnedAt = now;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const more = this.unsaid === 0 ? '' : ` (${this.unsaid} more failure${this.unsaid === 1 ? '' : 's'} since the last warning)`;
    this.unsaid = 0;
    try {
      process.emitWarning(`[agentopera] ${this.what} threw in ${operation}: ${detail}; the engine carried on without it${more}`, {
        code: USER_CODE_FAILED_WARNING,
      });
    } catch {
      // A warning listener that throws must not reach the engine either.
    }
  }
}
