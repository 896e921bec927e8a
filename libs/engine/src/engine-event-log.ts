import { JSON_DATA_CONTENT_TYPE, instanceToJson, type SerializationRegistry } from '@agentopera/serialization';
import {
  AgentActivatedEvent,
  AgentConstructionExceptionEvent,
  AgentDeactivatedEvent,
  StateSaveFailedEvent,
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
} from '@agentopera/telemetry';
import type { AgentId, MessageChannel } from '@agentopera/types';

type Address = AgentId | MessageChannel | null;

const DECODER = new TextDecoder();

/**
 * The engine's structured events. Every method checks `isEnabled()` before it builds an event or
 * serializes a payload, so a disabled or absent logger costs one check (cost only when used).
 */
export class EngineEventLog {
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
    return logger !== undefined && logger.isEnabled();
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
    const messageType = message === null ? 'null' : typeof message === 'object' ? (message.constructor?.name ?? 'Object') : typeof message;
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

  private emit(event: EngineEvent): void {
    this.logger?.log(event);
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
