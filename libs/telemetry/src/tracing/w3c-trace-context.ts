import { ROOT_CONTEXT, createTraceState, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import type { EnvelopeMetadata } from './envelope-metadata.js';

// version-traceId-spanId-flags, then (for versions after 00 only) more fields we must ignore.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The trace context of `ctx` as envelope metadata, or undefined when `ctx` holds no valid span. */
export function injectTraceContext(ctx: Context): EnvelopeMetadata | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * A context whose (remote) span is the one described by `metadata`, or undefined when there is no
 * usable `traceparent`. A malformed header is ignored, as the W3C spec asks of receivers.
 */
export function extractTraceContext(metadata: EnvelopeMetadata | undefined): Context | undefined {
  const header = metadata?.traceparent;
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext = {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16),
    isRemote: true,
    traceState: typeof metadata?.tracestate === 'string' ? createTraceState(metadata.tracestate) : undefined,
  };
  // isSpanContextValid rejects the all-zero ids the pattern lets through.
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : undefined;
}
