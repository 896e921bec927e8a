import { DropMessage, type EngineEventLog, type InterventionHandler } from '@agentopera/engine';
import type { InterventionStage, TraceHelper } from '@agentopera/telemetry';

/**
 * Runs one intervention stage through every handler in order, as the local engine does: each may
 * replace the message; the first drop stops the chain; a handler that throws is logged and its
 * error rethrown.
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
      events.interventionException(current, stage, handler.constructor.name, exception);
      throw exception;
    }
    if (current === DropMessage) return DropMessage;
  }
  return current;
}
