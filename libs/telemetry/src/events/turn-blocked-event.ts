import type { AgentId } from '@agentopera/types';
import { BaseEngineEvent } from './base-engine-event.js';

/** Fields of a {@link TurnBlockedEvent}. */
export interface TurnBlockedEventFields {
  /** The serial agent whose turn holds up the others. */
  readonly agentId: AgentId;
  /** The type of the message whose handler runs the turn (`'unknown'` when the engine cannot tell). */
  readonly runningMessageType: string;
  /** The types of the messages waiting behind it, in arrival order (at most 20; see `waitingCount`). */
  readonly waitingMessageTypes: readonly string[];
  readonly waitingCount: number;
  /** How long the first of them has waited, in milliseconds. */
  readonly waitedMs: number;
  /** The engine's `turnBlockedWarningMs`. */
  readonly thresholdMs: number;
}

/** JSON form of a {@link TurnBlockedEvent}. */
export interface TurnBlockedEventJson {
  readonly type: 'TurnBlocked';
  readonly agentId: string;
  readonly runningMessageType: string;
  readonly waitingMessageTypes: readonly string[];
  readonly waitingCount: number;
  readonly waitedMs: number;
  readonly thresholdMs: number;
}

/**
 * A serial agent's turn has kept messages for the same agent waiting longer than the engine's
 * threshold: once per blocked turn. Often a deadlock: a serial handler awaiting replies that its
 * own agent must handle (mark that reply's handler `interleave: true`).
 */
export class TurnBlockedEvent extends BaseEngineEvent<TurnBlockedEventFields, TurnBlockedEventJson> implements TurnBlockedEventFields {
  declare readonly agentId: AgentId;
  declare readonly runningMessageType: string;
  declare readonly waitingMessageTypes: readonly string[];
  declare readonly waitingCount: number;
  declare readonly waitedMs: number;
  declare readonly thresholdMs: number;

  toJSON(): TurnBlockedEventJson {
    return {
      type: 'TurnBlocked',
      agentId: this.agentId.toString(),
      runningMessageType: this.runningMessageType,
      waitingMessageTypes: [...this.waitingMessageTypes],
      waitingCount: this.waitingCount,
      waitedMs: this.waitedMs,
      thresholdMs: this.thresholdMs,
    };
  }
}
