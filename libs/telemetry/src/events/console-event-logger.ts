import type { EngineEvent } from './engine-event.js';
import type { EventLogger } from './event-logger.js';

/** Options of {@link ConsoleEventLogger}. */
export interface ConsoleEventLoggerOptions {
  /** Receives each event as one line of JSON, without a trailing newline. Default: standard error. */
  readonly write?: (line: string) => void;
}

function writeToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes each event as one line of JSON (JSON Lines), to standard error unless told otherwise. */
export class ConsoleEventLogger implements EventLogger {
  private readonly write: (line: string) => void;

  constructor(options: ConsoleEventLoggerOptions = {}) {
    this.write = options.write ?? writeToStderr;
  }

  isEnabled(): boolean {
    return true;
  }

  log(event: EngineEvent): void {
    this.write(event.toString());
  }
}
