import { describe, expect, it } from 'vitest';
import * as telemetry from './index.js';

describe('@agentopera/telemetry', () => {
  it('exports the public API', () => {
    expect(Object.keys(telemetry).sort()).toEqual([
      'AgentConstructionExceptionEvent',
      'CollectingEventLogger',
      'ConsoleEventLogger',
      'DISABLE_ENGINE_TRACING_ENV',
      'DeliveryStage',
      'InterventionExceptionEvent',
      'MessageDroppedEvent',
      'MessageEngineTracingConfig',
      'MessageEvent',
      'MessageHandlerExceptionEvent',
      'MessageKind',
      'NoopEventLogger',
      'TraceHelper',
      'UnhandledMessageEvent',
      'getTelemetryEnvelopeMetadata',
    ]);
  });
});
