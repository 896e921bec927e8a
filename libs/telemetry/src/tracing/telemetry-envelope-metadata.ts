import type { EnvelopeMetadata } from './envelope-metadata.js';
import { currentTraceContext } from './trace-context-store.js';
import { injectTraceContext } from './w3c-trace-context.js';

/**
 * The current trace context as envelope metadata (`traceparent` / `tracestate`), or undefined when
 * no span is active. Put it in an envelope so the receiving side continues the sender's trace.
 */
export function getTelemetryEnvelopeMetadata(): EnvelopeMetadata | undefined {
  return injectTraceContext(currentTraceContext());
}
