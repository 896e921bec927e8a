import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

type ExportCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** OpenTelemetry's "failed" export result code (`ExportResultCode.FAILED` in @opentelemetry/core). */
const FAILED = 1;

/**
 * Wraps an exporter and reports its first failed export through `warn`. Exporters report failures
 * only to OpenTelemetry's diagnostic logger, which is silent by default, so an unreachable
 * collector would otherwise lose every span without a word.
 */
export class WarningSpanExporter implements SpanExporter {
  private warned = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly warn: (line: string) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    this.inner.export(spans, (result: ExportResult) => {
      if (result.code === FAILED && !this.warned) {
        this.warned = true;
        this.warn(`could not export spans: ${result.error?.message ?? 'unknown error'}`);
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
