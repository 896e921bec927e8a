import { SpanStatusCode, trace, type Attributes, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { describeException } from '../describe-exception.js';
import type { EnvelopeMetadata } from './envelope-metadata.js';
import type { MessageEngineTracingConfig } from './message-engine-tracing-config.js';
import type { MessagingDestination, MessagingOperation } from './messaging-operation.js';
import { currentTraceContext, runWithTraceContext } from './trace-context-store.js';
import { getTelemetryEnvelopeMetadata } from './telemetry-envelope-metadata.js';
import { isNoopTracerProvider, tracerProviderDelegate } from './tracer-provider-delegate.js';
import { extractTraceContext } from './w3c-trace-context.js';
import { UserCodeFailureWarning } from '../user-code-failure-warning.js';

// Where @opentelemetry/api 1.x (our dependency's range) registers its globals.
const OTEL_API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

function globalTracerRegistered(): boolean {
  const registry = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_API_GLOBAL];
  return registry?.trace !== undefined;
}

/** Set to `true` (or `1`) before an engine is built to turn its spans off. */
export const DISABLE_ENGINE_TRACING_ENV = 'AGENTOPERA_DISABLE_ENGINE_TRACING';

/** Options of {@link TraceHelper.traceBlock}. */
export interface TraceBlockOptions {
  /** Added to the span's attributes, e.g. `{ message_type: 'Greeting' }`. */
  readonly extraAttributes?: Attributes;
}

function tracingDisabledByEnv(): boolean {
  const value = typeof process === 'undefined' ? undefined : process.env[DISABLE_ENGINE_TRACING_ENV];
  return value !== undefined && ['true', '1'].includes(value.trim().toLowerCase());
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function endSpan(span: Span, tracerFailures: UserCodeFailureWarning): void {
  try {
    span.end();
  } catch (failure) {
    tracerFailures.report('span.end()', failure);
  }
}

function endWithError(span: Span, error: unknown, tracerFailures: UserCodeFailureWarning): void {
  try {
    const description = describeException(error);
    span.recordException(error instanceof Error ? error : description);
    span.setStatus({ code: SpanStatusCode.ERROR, message: description.message });
  } catch (failure) {
    tracerFailures.report('recording an error on a span', failure);
  }
  endSpan(span, tracerFailures);
}

/**
 * Opens the engine's spans. Costs one check per call while tracing is off: turned off by
 * `AGENTOPERA_DISABLE_ENGINE_TRACING=true`, or, without an explicit provider, while the global
 * provider is still OpenTelemetry's no-op (re-checked on every call, since an application may
 * register its provider after building the engine).
 */
export class TraceHelper {
  private readonly disabledByEnv: boolean;
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly tracerName: string;
  // The delegate provider last seen and the tracer decided for it (undefined: no-op, no spans).
  private lastDelegate: TracerProvider | undefined;
  private tracer: Tracer | undefined;
  /** The tracer is user code: what it throws is reported here, never into the engine's work. */
  private readonly tracerFailures = new UserCodeFailureWarning('the tracer');

  constructor(
    tracerProvider: TracerProvider | undefined,
    private readonly config: MessageEngineTracingConfig,
  ) {
    this.disabledByEnv = tracingDisabledByEnv();
    this.tracerProvider = tracerProvider;
    this.tracerName = `agentopera ${config.engineName}`;
  }

  /** Whether `traceBlock` opens spans right now. */
  get enabled(): boolean {
    return this.activeTracer() !== undefined;
  }

  /**
   * Runs `fn` inside a span for `operation` on `destination`, ended when `fn` returns or its promise
   * settles; errors are recorded on the span and rethrown unchanged. The span's parent is the trace
   * context in `parent` when it holds a valid one, else the current trace context. While `fn` runs
   * (across its awaits too) the span is the current trace context. When tracing is off this is
   * just `fn()`.
   */
  traceBlock<R>(
    operation: MessagingOperation,
    destination: MessagingDestination,
    parent: EnvelopeMetadata | undefined,
    fn: () => R,
    options?: TraceBlockOptions,
  ): R {
    const tracer = this.activeTracer();
    if (tracer === undefined) return fn();
    return this.traceEnabled(tracer, operation, destination, parent, fn, options);
  }

  /** The current trace context as envelope metadata; undefined when tracing is off or no span is active. */
  captureMetadata(): EnvelopeMetadata | undefined {
    return this.activeTracer() === undefined ? undefined : getTelemetryEnvelopeMetadata();
  }

  private activeTracer(): Tracer | undefined {
    if (this.disabledByEnv) return undefined;
    // Nothing registered globally: the global provider is the no-op, known without the API's lookup
    // (which checks versions on every call and is a visible share of a message's cost).
    if (this.tracerProvider === undefined && !globalTracerRegistered()) return undefined;
    const delegate = tracerProviderDelegate(this.tracerProvider ?? trace.getTracerProvider());
    if (delegate !== this.lastDelegate) {
      this.lastDelegate = delegate;
      this.tracer = isNoopTracerProvider(delegate) ? undefined : this.tracerOf(delegate);
    }
    return this.tracer;
  }

  /** The provider's tracer; none (no spans) when the provider throws. */
  private tracerOf(provider: TracerProvider): Tracer | undefined {
    try {
      return provider.getTracer(this.tracerName);
    } catch (failure) {
      this.tracerFailures.report('getTracer()', failure);
      return undefined;
    }
  }

  private traceEnabled<R>(
    tracer: Tracer,
    operation: MessagingOperation,
    destination: MessagingDestination,
    parent: EnvelopeMetadata | undefined,
    fn: () => R,
    options: TraceBlockOptions | undefined,
  ): R {
    const config = this.config;
    const tracerFailures = this.tracerFailures;
    const parentContext = extractTraceContext(parent) ?? currentTraceContext();
    let span: Span;
    try {
      span = tracer.startSpan(
        config.getSpanName(operation, destination),
        {
          kind: config.getSpanKind(operation),
          attributes: config.buildAttributes(operation, destination, options?.extraAttributes),
        },
        parentContext,
      );
    } catch (failure) {
      // No span for this block, but its work runs as it would untraced.
      tracerFailures.report('startSpan()', failure);
      return fn();
    }
    let result: R;
    try {
      result = runWithTraceContext(trace.setSpan(parentContext, span), fn);
    } catch (error) {
      endWithError(span, error, tracerFailures);
      throw error;
    }
    if (!isPromiseLike(result)) {
      endSpan(span, tracerFailures);
      return result;
    }
    return result.then(
      (value) => {
        endSpan(span, tracerFailures);
        return value;
      },
      (error: unknown) => {
        endWithError(span, error, tracerFailures);
        throw error;
      },
    ) as R;
  }
}
