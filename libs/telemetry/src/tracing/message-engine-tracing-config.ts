import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { MessagingDestination, MessagingOperation } from './messaging-operation.js';

/** Value of `messaging.system` on every engine span. */
export const MESSAGING_SYSTEM = 'agentopera';

// OpenTelemetry's well-known `messaging.operation.type` values are create, send, receive, process
// and settle. Delivering an RPC response settles the exchange; intercepting happens as the engine
// receives a message, before any handler sees it.
const OPERATION_TYPES: Readonly<Record<MessagingOperation, string>> = {
  create: 'create',
  send: 'send',
  publish: 'send',
  process: 'process',
  ack: 'settle',
  intercept: 'receive',
};

const SPAN_KINDS: Readonly<Record<MessagingOperation, SpanKind>> = {
  create: SpanKind.PRODUCER,
  send: SpanKind.PRODUCER,
  publish: SpanKind.PRODUCER,
  process: SpanKind.CONSUMER,
  ack: SpanKind.CONSUMER,
  intercept: SpanKind.INTERNAL,
};

function destinationName(destination: MessagingDestination): string {
  return destination === null || destination === undefined ? '' : String(destination);
}

/**
 * Names and attributes of an engine's spans, after OpenTelemetry's messaging semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/).
 */
export class MessageEngineTracingConfig {
  /** Name of the instrumented engine, e.g. `LocalAgentEngine`; part of the tracer's name. */
  readonly engineName: string;

  constructor(engineName: string) {
    this.engineName = engineName;
  }

  /** `"<operation> <destination>"`, e.g. `"send my_agent/default"`; just the operation without one. */
  getSpanName(operation: MessagingOperation, destination: MessagingDestination): string {
    const name = destinationName(destination);
    return name === '' ? operation : `${operation} ${name}`;
  }

  /** Producer for operations that emit a message, consumer for those that take one in. */
  getSpanKind(operation: MessagingOperation): SpanKind {
    return SPAN_KINDS[operation] ?? SpanKind.INTERNAL;
  }

  /** Span attributes; `extra` ones (e.g. `message_type`) cannot override the conventional ones. */
  buildAttributes(operation: MessagingOperation, destination: MessagingDestination, extra?: Attributes): Attributes {
    const attributes: Attributes = {
      ...extra,
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': OPERATION_TYPES[operation] ?? operation,
      'messaging.operation.name': operation,
    };
    const name = destinationName(destination);
    if (name !== '') attributes['messaging.destination.name'] = name;
    return attributes;
  }
}
