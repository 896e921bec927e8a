import type { EngineEvent } from './engine-event.js';

/**
 * Where the engine sends its structured events. The engine asks `isEnabled()` before it builds an
 * event or serializes a payload for one, so a disabled logger costs nothing.
 */
export interface EventLogger {
  isEnabled(): boolean;
  log(event: EngineEvent): void;
}
