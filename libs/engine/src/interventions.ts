import type { InterventionStage, TraceHelper } from '@agentopera/telemetry';
import type { EngineEventLog } from './engine-event-log.js';
import { DropMessage, type InterventionHandler } from './intervention-handler.js';

/**
 * Runs one intervention stage through every handler in order (each traced as an `intercept` span):
 * each may replace the message; the first drop stops the chain and returns `DropMessage`; a handler
 * that throws is reported as an `InterventionExceptionEvent` and its error rethrown.
 */
export async function intervene(
  handlers: readonly InterventionHandler[],
  apply: (handler: InterventionHandler, message: unknown) => unknown,
  message: unknown,
  stage: InterventionStage,
  traceHelper: TraceHelper,
  events: EngineEventLog,
): Promise<unknown> {
  let current = message;
  for (const handler of handlers) {
    const step = async (): Promise<unknown> => apply(handler, current);
    try {
      current = await (traceHelper.enabled
        ? traceHelper.traceBlock('intercept', handler.constructor.name, undefined, step, {
            extraAttributes: { 'agentopera.intervention.stage': stage },
          })
        : step());
    } catch (exception) {
      // For a publish this event is the only trace of the failure: no agent handled it.
      events.interventionException(current, stage, handler.constructor.name, exception);
      throw exception;
    }
    if (current === DropMessage) return DropMessage;
  }
  return current;
}
