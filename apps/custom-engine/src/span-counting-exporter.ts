import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

type ExportResultCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportResultCallback>[0];
// @opentelemetry/core's ExportResultCode values, spelled out so the app needs no extra package.
const SUCCESS: ExportResult['code'] = 0;
const FAILED: ExportResult['code'] = 1;

/**
 * A span exporter that keeps only a count per span name: enough to see what the engine traces
 * without a collector. Any OpenTelemetry exporter (OTLP, console, ...) plugs in the same way.
 */
export class SpanCountingExporter implements SpanExporter {
  private readonly counts = new Map<string, number>();
  private stopped = false;

  export(spans: ReadableSpan[], resultCallback: ExportResultCallback): void {
    if (this.stopped) {
      resultCallback({ code: FAILED, error: new Error('SpanCountingExporter is shut down') });
      return;
    }
    for (const span of spans) this.counts.set(span.name, (this.counts.get(span.name) ?? 0) + 1);
    resultCallback({ code: SUCCESS });
  }

  /** Spans exported so far, by name. */
  countsByName(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Spans exported so far. */
  total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }

  async forceFlush(): Promise<void> {}
}
