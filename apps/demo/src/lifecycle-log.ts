import {
  AgentActivatedEvent,
  AgentConstructionExceptionEvent,
  AgentDeactivatedEvent,
  CancelledError,
  InterventionExceptionEvent,
  MessageHandlerExceptionEvent,
  StateSaveFailedEvent,
  type DeactivationReason,
  type EngineEvent,
  type EventLogger,
} from '@agentopera/core';

/** How the report names each reason for a deactivation, in the order it lists them. */
const REASONS: readonly (readonly [DeactivationReason, string])[] = [
  ['capacity', 'over the cap'],
  ['idle', 'idle'],
  ['requested', 'on request'],
  ['close', 'at close'],
];

/**
 * The engine's event logger in the demo: counts activations and deactivations by reason, which
 * the engine reports as events (`AgentActivatedEvent`, `AgentDeactivatedEvent`), and turns the
 * failures nobody else hears of into warnings: failed saves, failed builds, failing handlers of
 * published messages (a cancelled run's `CancelledError`s are expected, not warned about).
 */
export class LifecycleLog implements EventLogger {
  activated = 0;
  private readonly deactivated = new Map<DeactivationReason, number>();

  constructor(private readonly warn: (line: string) => void) {}

  isEnabled(): boolean {
    return true;
  }

  log(event: EngineEvent): void {
    if (event instanceof AgentActivatedEvent) {
      this.activated++;
    } else if (event instanceof AgentDeactivatedEvent) {
      this.deactivated.set(event.reason, (this.deactivated.get(event.reason) ?? 0) + 1);
    } else if (event instanceof StateSaveFailedEvent || event instanceof AgentConstructionExceptionEvent || event instanceof InterventionExceptionEvent) {
      this.warn(event.toString());
    } else if (event instanceof MessageHandlerExceptionEvent && !(event.exception instanceof CancelledError)) {
      this.warn(event.toString());
    }
  }

  /** `"37 over the cap, 4 at close"`, or `"none"`. */
  describeDeactivations(): string {
    const parts = REASONS.filter(([reason]) => this.deactivated.has(reason)).map(([reason, label]) => `${this.deactivated.get(reason)} ${label}`);
    return parts.length === 0 ? 'none' : parts.join(', ');
  }
}
