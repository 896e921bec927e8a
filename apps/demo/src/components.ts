import { AsyncQueue, PriorityAsyncQueue, type MessageEnvelope, type MessageQueue } from '@agentopera/core';
import type { TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RESULTS_TOPIC } from './topology.js';
import { UsageError } from './usage-error.js';
import { WarningSpanExporter } from './warning-span-exporter.js';

export type QueueChoice = { kind: 'fifo' } | { kind: 'priority' } | { kind: 'bounded'; size: number };
export const TRACER_CHOICES = ['none', 'console', 'otlp'] as const;
export type TracerChoice = (typeof TRACER_CHOICES)[number];

/** Parses `fifo`, `priority` or `bounded:N` (N a positive integer). */
export function parseQueueChoice(text: string): QueueChoice {
  if (text === 'fifo' || text === 'priority') return { kind: text };
  const bounded = /^bounded:(\d+)$/.exec(text);
  if (bounded !== null && Number(bounded[1]) >= 1) return { kind: 'bounded', size: Number(bounded[1]) };
  throw new UsageError(`--queue must be fifo, priority or bounded:N with N >= 1, got ${JSON.stringify(text)}`);
}

export function parseTracerChoice(text: string): TracerChoice {
  const choice = TRACER_CHOICES.find((name) => name === text);
  if (choice === undefined) throw new UsageError(`--tracer must be none, console or otlp, got ${JSON.stringify(text)}`);
  return choice;
}

export function describeQueue(choice: QueueChoice): string {
  return choice.kind === 'bounded' ? `bounded:${choice.size}` : choice.kind;
}

/**
 * Rank of an envelope in the priority queue, lowest first: RPCs (the coordinator's request and
 * the report request), then shard results, then shard assignments. Draining results before new
 * work keeps the aggregator and the progress line close behind the workers.
 */
export function envelopeRank(envelope: MessageEnvelope): number {
  if (envelope.kind === 'send') return 0;
  return envelope.channel.type === RESULTS_TOPIC ? 1 : 2;
}

/**
 * The engine's queue option for `choice`. Always a factory: a stopped queue is shut down for good,
 * and the engine takes a fresh one from the factory if it is started again.
 */
export function createQueueFactory(choice: QueueChoice): () => MessageQueue<MessageEnvelope> {
  switch (choice.kind) {
    case 'fifo':
      return () => new AsyncQueue<MessageEnvelope>();
    case 'priority':
      return () => new PriorityAsyncQueue<MessageEnvelope>((a, b) => envelopeRank(a) - envelopeRank(b));
    case 'bounded':
      return () => new AsyncQueue<MessageEnvelope>(choice.size);
  }
}

/** A tracer provider for the engine (undefined: no tracing) and how to flush it at the end. */
export interface TracerSetup {
  readonly provider: TracerProvider | undefined;
  /** Flushes and shuts down; never rejects and gives up after `SHUTDOWN_TIMEOUT_MS`, warning instead. */
  shutdown(): Promise<void>;
}

/** A collector that accepts the connection but never answers must not hold the demo for long. */
export const SHUTDOWN_TIMEOUT_MS = 3000;

/**
 * Builds the tracer for `choice`. `console` prints each span as it ends (ConsoleSpanExporter);
 * `otlp` batches spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT (default
 * http://localhost:4318), and an unreachable collector only produces a warning.
 */
export function createTracer(choice: TracerChoice, warn: (line: string) => void): TracerSetup {
  if (choice === 'none') return { provider: undefined, shutdown: async () => undefined };
  let exportWarned = false;
  const processor =
    choice === 'console'
      ? new SimpleSpanProcessor(new ConsoleSpanExporter())
      : new BatchSpanProcessor(
          new WarningSpanExporter(createOtlpExporter(), (line) => {
            exportWarned = true;
            warn(`otlp tracer: ${line}`);
          }),
        );
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  // A failed final export also fails shutdown(); say it once.
  const onShutdownError = (message: string): void => {
    if (!exportWarned) warn(`tracer: shutdown failed: ${message}`);
  };
  return { provider, shutdown: () => shutdownWithin(provider, SHUTDOWN_TIMEOUT_MS, warn, onShutdownError) };
}

/** Export timeout unless OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT says otherwise (OpenTelemetry's default is 10 s). */
export const OTLP_EXPORT_TIMEOUT_MS = 2000;

/**
 * The exporter retries a refused connection with backoff until its timeout; a demo that ends in
 * milliseconds should not wait 10 s on a collector that is not there.
 */
function createOtlpExporter(): OTLPTraceExporter {
  const timeoutFromEnv = process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
  return new OTLPTraceExporter(timeoutFromEnv ? {} : { timeoutMillis: OTLP_EXPORT_TIMEOUT_MS });
}

async function shutdownWithin(
  provider: BasicTracerProvider,
  timeoutMs: number,
  warn: (line: string) => void,
  onError: (message: string) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      warn(`tracer: spans not flushed after ${timeoutMs} ms; giving up`);
      resolve();
    }, timeoutMs);
  });
  const shutdown = provider.shutdown().catch((error: unknown) => onError(error instanceof Error ? error.message : String(error)));
  try {
    await Promise.race([shutdown, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
