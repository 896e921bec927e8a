import { ProxyTracerProvider, type TracerProvider } from '@opentelemetry/api';

// The no-op provider every ProxyTracerProvider of this copy of the API delegates to until a real
// one is registered; the API does not export it any other way.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

interface Delegating {
  getDelegate?: () => TracerProvider;
}

/** The provider that really makes spans: a proxy's delegate, or the provider itself. */
export function tracerProviderDelegate(provider: TracerProvider): TracerProvider {
  // Duck-typed: the global proxy may come from another copy of @opentelemetry/api.
  const getDelegate = (provider as Delegating).getDelegate;
  return typeof getDelegate === 'function' ? getDelegate.call(provider) : provider;
}

/** True for OpenTelemetry's no-op provider (this copy's or another copy's). */
export function isNoopTracerProvider(provider: TracerProvider): boolean {
  return provider === NOOP_TRACER_PROVIDER || provider.constructor?.name === 'NoopTracerProvider';
}
