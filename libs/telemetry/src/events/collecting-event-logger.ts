import type { EngineEvent } from './engine-event.js';
import type { EventLogger } from './event-logger.js';

/** Keeps every event in memory, in order; for tests and for inspecting what an engine did. */
export class CollectingEventLogger implements EventLogger {
  readonly events: EngineEvent[] = [];

  isEnabled(): boolean {
    return true;
  }

  log(event: EngineEvent): void {
    this.events.push(event);
  }

  /** Forgets the events collected so far. */
  clear(): void {
    this.events.length = 0;
  }
}
