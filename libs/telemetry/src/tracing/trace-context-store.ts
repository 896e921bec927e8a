import { AsyncLocalStorage } from 'node:async_hooks';
import { context, trace, type Context } from '@opentelemetry/api';

/**
 * The trace context of the innermost engine span, kept by us so that it survives `await` even when
 * the application registered no OpenTelemetry context manager (the default one forgets the context
 * at the first await). Written only while tracing is enabled.
 */
const traceContextStore = new AsyncLocalStorage<Context>();

function withOtelContext<R>(ctx: Context, fn: () => R): R {
  return context.with(ctx, fn);
}

/** Runs `fn` with `ctx` as the current trace context, in our store and in OpenTelemetry's. */
export function runWithTraceContext<R>(ctx: Context, fn: () => R): R {
  return traceContextStore.run(ctx, withOtelContext<R>, ctx, fn);
}

/**
 * The current trace context. OpenTelemetry's active context wins when it holds a span, because
 * with a real context manager it is at least as recent as ours (an application span opened inside
 * a handler); otherwise ours, which survives awaits without a context manager.
 */
export function currentTraceContext(): Context {
  const active = context.active();
  if (trace.getSpan(active) !== undefined) return active;
  return traceContextStore.getStore() ?? active;
}
