// Tracing: spans around the engine's messaging operations, trace context carried in envelopes.
export type { EnvelopeMetadata } from './tracing/envelope-metadata.js';
export type { MessagingDestination, MessagingOperation } from './tracing/messaging-operation.js';
export { MessageEngineTracingConfig } from './tracing/message-engine-tracing-config.js';
export { DISABLE_ENGINE_TRACING_ENV, TraceHelper, type TraceBlockOptions } from './tracing/trace-helper.js';
export { getTelemetryEnvelopeMetadata } from './tracing/telemetry-envelope-metadata.js';

// Structured events and the loggers that receive them.
export { MessageKind } from './events/message-kind.js';
export { DeliveryStage } from './events/delivery-stage.js';
export type { AddressedMessageFields, AddressedMessageJson } from './events/addressed-message-event.js';
export { MessageEvent, type MessageEventFields, type MessageEventJson } from './events/message-event.js';
export {
  MessageHandlerExceptionEvent,
  type MessageHandlerExceptionEventFields,
  type MessageHandlerExceptionEventJson,
} from './events/message-handler-exception-event.js';
export {
  AgentConstructionExceptionEvent,
  type AgentConstructionExceptionEventFields,
  type AgentConstructionExceptionEventJson,
} from './events/agent-construction-exception-event.js';
export {
  MessageDroppedEvent,
  type MessageDroppedEventFields,
  type MessageDroppedEventJson,
} from './events/message-dropped-event.js';
export {
  UnhandledMessageEvent,
  type UnhandledMessageEventFields,
  type UnhandledMessageEventJson,
} from './events/unhandled-message-event.js';
export {
  InterventionExceptionEvent,
  type InterventionExceptionEventFields,
  type InterventionExceptionEventJson,
  type InterventionStage,
} from './events/intervention-exception-event.js';
export {
  AgentActivatedEvent,
  type AgentActivatedEventFields,
  type AgentActivatedEventJson,
} from './events/agent-activated-event.js';
export {
  AgentDeactivatedEvent,
  type AgentDeactivatedEventFields,
  type AgentDeactivatedEventJson,
  type DeactivationReason,
} from './events/agent-deactivated-event.js';
export {
  StateSaveFailedEvent,
  type StateSaveFailedEventFields,
  type StateSaveFailedEventJson,
  type StateSaveOccasion,
} from './events/state-save-failed-event.js';
export {
  TurnBlockedEvent,
  type TurnBlockedEventFields,
  type TurnBlockedEventJson,
} from './events/turn-blocked-event.js';
export type { EngineEvent } from './events/engine-event.js';
export type { ExceptionDescription } from './describe-exception.js';
export type { EventLogger } from './events/event-logger.js';
export { NoopEventLogger } from './events/noop-event-logger.js';
export { ConsoleEventLogger, type ConsoleEventLoggerOptions } from './events/console-event-logger.js';
export { CollectingEventLogger } from './events/collecting-event-logger.js';

// User code the engine calls for telemetry (event loggers, tracers) is guarded; its failures become warnings.
export { USER_CODE_FAILED_WARNING, UserCodeFailureWarning } from './user-code-failure-warning.js';
