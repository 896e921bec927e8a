import { LocalAgentEngine, type MessageEnvelope } from '@agentopera/engine';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FairQueue } from './fair-queue.js';
import { senderLane } from './sender-lane.js';
import { SpanCountingExporter } from './span-counting-exporter.js';

/** Options of `createCustomEngine`. */
export interface CustomEngineOptions {
  /** Total capacity of the fair queue over all senders; 0 (default) means unbounded. */
  maxsize?: number;
}

/** The engine and the components it was built with, so callers can inspect them. */
export interface CustomEngine {
  engine: LocalAgentEngine;
  spans: SpanCountingExporter;
  tracerProvider: BasicTracerProvider;
}

/**
 * A `LocalAgentEngine` built from the individual libraries (not `@agentopera/core`) with a queue
 * and a tracer provider of this application's choosing.
 */
export function createCustomEngine(options: CustomEngineOptions = {}): CustomEngine {
  const spans = new SpanCountingExporter();
  // Simple (not batching) processor: spans are counted the moment they end, which tests rely on.
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const engine = new LocalAgentEngine({
    // A factory: a stopped queue is shut down for good, and the engine takes a fresh one per run.
    queue: () => new FairQueue<MessageEnvelope>(senderLane, options.maxsize ?? 0),
    tracerProvider,
  });
  return { engine, spans, tracerProvider };
}
