import { describe, expect, it } from 'vitest';
import * as telemetry from './index.js';

describe('@agentopera/telemetry', () => {
  it('exports the public API', () => {
    expect(Object.keys(telemetry).sort()).toEqual([
      'AgentActivatedEvent',
      'AgentConstructionExceptionEvent',
      'AgentDeactivatedEvent',
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
      'StateSaveFailedEvent',
      'TraceHelper',
      'TurnBlockedEvent',
      'USER_CODE_FAILED_WARNING',
      'UnhandledMessageEvent',
      'UserCodeFailureWarning',
      'getTelemetryEnvelopeMetadata',
    ]);
  });
});
