import { JSON_DATA_CONTENT_TYPE, instanceToJson, type SerializationRegistry } from '@agentopera/serialization';
import {
  AgentActivatedEvent,
  AgentConstructionExceptionEvent,
  AgentDeactivatedEvent,
  StateSaveFailedEvent,
  TurnBlockedEvent,
  UnhandledMessageEvent,
  type DeactivationReason,
  type StateSaveOccasion,
  InterventionExceptionEvent,
  MessageDroppedEvent,
  MessageEvent,
  MessageHandlerExceptionEvent,
  type DeliveryStage,
  type EngineEvent,
  type EventLogger,
  type InterventionStage,
  MessageKind,
  UserCodeFailureWarning,
} from '@agentopera/telemetry';
import type { AgentId, MessageChannel } from '@agentopera/types';
import type { Turns } from './activation.js';
import { messageTypeName } from './message-intake.js';

/** The waiting message types a `TurnBlockedEvent` lists (their count is always given). */
const MAX_LISTED_WAITING = 20;

type Address = AgentId | MessageChannel | null;

const DECODER = new TextDecoder();

/**
 * The engine's structured events. Every method checks `isEnabled()` before it builds an event or
 * serializes a payload, so a disabled or absent logger costs one check (cost only when used).
 */
export class EngineEventLog {
  /** The logger is user code: its failures are reported here, never thrown into the engine. */
  private readonly failures = new UserCodeFailureWarning('the event logger');

  /**
   * @param reportUnobserved write failures that nobody else will hear of (handlers of published
   *   messages while `ignoreUnhandledExceptions` is on) to stderr, one line each, as the seed's
   *   `logger.error` does by default. The engine sets it when no event logger was given.
   */
  constructor(
    private readonly logger: EventLogger | undefined,
    private readonly serializationRegistry: SerializationRegistry,
    private readonly reportUnobserved = false,
  ) {}

  get enabled(): boolean {
    const logger = this.logger;
    if (logger === undefined) return false;
    try {
      return logger.isEnabled();
    } catch (error) {
      this.failures.report('isEnabled()', error);
      return false;
    }
  }

  message(message: unknown, sender: AgentId | null, receiver: Address, kind: MessageKind, deliveryStage: DeliveryStage): void {
    if (this.enabled) this.emit(new MessageEvent({ payload: this.payload(message), sender, receiver, kind, deliveryStage }));
  }

  dropped(message: unknown, sender: AgentId | null, receiver: Address, kind: MessageKind): void {
    if (this.enabled) this.emit(new MessageDroppedEvent({ payload: this.payload(message), sender, receiver, kind }));
  }

  handlerException(message: unknown, handlingAgent: AgentId, exception: unknown): void {
    if (this.enabled) this.emit(new MessageHandlerExceptionEvent({ payload: this.payload(message), handlingAgent, exception }));
  }

  /** A published message's handler (or the build of its agent) failed: no caller will hear of it. */
  publishFailure(message: unknown, recipient: AgentId, exception: unknown): void {
    this.handlerException(message, recipient, exception);
    this.unobserved(`the handler of ${recipient.toString()} failed on a published message`, exception);
  }

  /** A failure no caller will hear of; written to stderr only when `reportUnobserved` is set. */
  unobserved(what: string, exception: unknown): void {
    if (!this.reportUnobserved) return;
    const detail = exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
    process.stderr.write(`[agentopera] ${what}: ${detail} (pass an eventLogger to receive these as events)\n`);
  }

  constructionException(agentId: AgentId, exception: unknown): void {
    if (this.enabled) this.emit(new AgentConstructionExceptionEvent({ agentId, exception }));
  }

  interventionException(message: unknown, stage: InterventionStage, handler: string, exception: unknown): void {
    if (this.enabled) this.emit(new InterventionExceptionEvent({ payload: this.payload(message), stage, handler, exception }));
  }

  /** A published message reached an agent with no handler for it, or (`handlingAgent` null) no agent. */
  unhandled(message: unknown, sender: AgentId | null, channel: MessageChannel, handlingAgent: AgentId | null): void {
    if (!this.enabled) return;
    const messageType = messageTypeName(message);
    this.emit(
      new UnhandledMessageEvent({ payload: this.payload(message), sender, receiver: channel, kind: MessageKind.PUBLISH, handlingAgent, messageType }),
    );
  }

  activated(agentId: AgentId, stateLoaded: boolean): void {
    if (this.enabled) this.emit(new AgentActivatedEvent({ agentId, stateLoaded }));
  }

  deactivated(agentId: AgentId, reason: DeactivationReason, stateSaved: boolean): void {
    if (this.enabled) this.emit(new AgentDeactivatedEvent({ agentId, reason, stateSaved }));
  }

  /** A save failed; with no event logger it goes to stderr too, since state is at stake. */
  saveFailed(agentId: AgentId, occasion: StateSaveOccasion, exception: unknown): void {
    if (this.enabled) this.emit(new StateSaveFailedEvent({ agentId, occasion, exception }));
    else this.unobserved(`saving the state of ${agentId.toString()} (${occasion}) failed`, exception);
  }

  /**
   * @internal A serial turn has kept messages for its agent waiting longer than `thresholdMs`: a
   * `TurnBlockedEvent`, and one warning line whether or not a logger listens (a silent deadlock
   * is the worst way to find one).
   */
  turnBlocked(turns: Turns, waitedMs: number, thresholdMs: number): void {
    const agentId = turns.activation.id;
    const runningMessageType = turns.running?.messageType() ?? 'unknown';
    const waitingMessageTypes: string[] = [];
    for (const turn of turns.waitingTurns()) {
      if (waitingMessageTypes.length === MAX_LISTED_WAITING) break;
      waitingMessageTypes.push(turn.messageType());
    }
    const waitingCount = turns.waitingCount;
    if (this.enabled) {
      this.emit(new TurnBlockedEvent({ agentId, runningMessageType, waitingMessageTypes, waitingCount, waitedMs: Math.round(waitedMs), thresholdMs }));
    }
    const counts = new Map<string, number>();
    for (const type of waitingMessageTypes) counts.set(type, (counts.get(type) ?? 0) + 1);
    const listed = [...counts].map(([type, count]) => (count === 1 ? type : `${type} x${count}`)).join(', ');
    const more = waitingCount > waitingMessageTypes.length ? `, ${waitingCount - waitingMessageTypes.length} more` : '';
    try {
      process.emitWarning(
        `[agentopera] serial agent ${agentId.toString()}: its turn handling ${runningMessageType} has kept ${waitingCount} ` +
          `message${waitingCount === 1 ? '' : 's'} waiting for over ${thresholdMs} ms (${listed}${more}). If that handler awaits ` +
          'replies its own agent must handle, mark their handler { interleave: true } (docs/lifecycle.md).',
        { code: 'AGENTOPERA_TURN_BLOCKED' },
      );
    } catch {
      // a throwing warning listener is not the engine's concern
    }
  }

  private emit(event: EngineEvent): void {
    try {
      this.logger?.log(event);
    } catch (error) {
      this.failures.report('log()', error);
    }
  }

  /**
   * The message as JSON: plain JSON values as they are, others through the registry's JSON
   * serializer, an instance of a class with none as its class name and the JSON of its fields
   * (`Job {"id":1}`), else a placeholder (logging never fails a message).
   */
  private payload(message: unknown): string {
    if (isPlainJson(message)) {
      try {
        return JSON.stringify(message);
      } catch {
        // a cycle: fall through to the registry and the placeholder
      }
    }
    const registry = this.serializationRegistry;
    try {
      const typeName = registry.typeName(message);
      if (registry.isRegistered(typeName, JSON_DATA_CONTENT_TYPE)) {
        return DECODER.decode(registry.serialize(message, { typeName, dataContentType: JSON_DATA_CONTENT_TYPE }));
      }
      return `${typeName} ${DECODER.decode(instanceToJson(message, typeName))}`;
    } catch {
      return 'Message could not be serialized';
    }
  }
}

/** Strings, finite numbers, booleans, null, and arrays / plain objects (`{}` or null prototype). */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
