import type { EngineEvent } from './engine-event.js';
import type { EventLogger } from './event-logger.js';

/** Logs nothing; the engine's default, so events cost nothing unless asked for. */
export class NoopEventLogger implements EventLogger {
  isEnabled(): boolean {
    return false;
  }

  log(_event: EngineEvent): void {}
}
