import { ROOT_CONTEXT, TraceFlags, createTraceState, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { extractTraceContext, injectTraceContext } from './w3c-trace-context.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

describe('W3C trace context', () => {
  it('round-trips traceparent and tracestate', () => {
    const metadata = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' };
    const ctx = extractTraceContext(metadata)!;
    expect(trace.getSpanContext(ctx)).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(injectTraceContext(ctx)).toEqual(metadata);
  });

  it('keeps unsampled flags and omits an empty tracestate', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.NONE,
      traceState: createTraceState(''),
    });
    expect(injectTraceContext(ctx)).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
    expect(trace.getSpanContext(extractTraceContext(injectTraceContext(ctx))!)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it('injects nothing from a context without a valid span', () => {
    expect(injectTraceContext(ROOT_CONTEXT)).toBeUndefined();
    const invalid = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 });
    expect(injectTraceContext(invalid)).toBeUndefined();
  });

  it('accepts a future version with extra fields, reading only the known ones', () => {
    const ctx = extractTraceContext({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-holds` });
    expect(trace.getSpanContext(ctx!)?.spanId).toBe(SPAN_ID);
  });

  it.each([
    ['no traceparent', {}],
    ['an empty traceparent', { traceparent: '' }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }],
    ['an all-zero span id', { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` }],
    ['a short trace id', { traceparent: `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01` }],
    ['a long span id', { traceparent: `00-${TRACE_ID}-${SPAN_ID}0-01` }],
    ['a one-digit flag', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-1` }],
    ['version ff', { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` }],
    ['version 00 with extra fields', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01-extra` }],
    ['uppercase hex', { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` }],
    ['non-hex characters', { traceparent: `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01` }],
    ['a non-string value', { traceparent: 42 as unknown as string }],
  ])('ignores metadata with %s', (_label, metadata) => {
    expect(extractTraceContext(metadata)).toBeUndefined();
  });

  it('ignores missing metadata', () => {
    expect(extractTraceContext(undefined)).toBeUndefined();
  });
});
