import type { SubscriptionManager } from '@agentopera/subscriptions';
import type { TraceHelper } from '@agentopera/telemetry';
import type { AgentDirectory } from './agent-directory.js';
import type { EngineEventLog } from './engine-event-log.js';
import type { HandlerRunner } from './handler-runner.js';
import type { InterventionHandler } from './intervention-handler.js';

/** The engine components that carry a message from the queue to its handlers. */
export interface DeliveryParts {
  readonly directory: AgentDirectory;
  readonly runner: HandlerRunner;
  readonly events: EngineEventLog;
  readonly traceHelper: TraceHelper;
  readonly interventionHandlers: readonly InterventionHandler[];
  readonly subscriptionManager: SubscriptionManager;
  /** A failure no caller hears of (a published message's handler): kept for the next `stop*()`. */
  readonly recordBackgroundError: (error: unknown) => void;
}
