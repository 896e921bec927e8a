import type { AgentActivatedEvent } from './agent-activated-event.js';
import type { AgentDeactivatedEvent } from './agent-deactivated-event.js';
import type { StateSaveFailedEvent } from './state-save-failed-event.js';
import type { AgentConstructionExceptionEvent } from './agent-construction-exception-event.js';
import type { InterventionExceptionEvent } from './intervention-exception-event.js';
import type { MessageDroppedEvent } from './message-dropped-event.js';
import type { MessageEvent } from './message-event.js';
import type { MessageHandlerExceptionEvent } from './message-handler-exception-event.js';
import type { TurnBlockedEvent } from './turn-blocked-event.js';
import type { UnhandledMessageEvent } from './unhandled-message-event.js';

/** Every structured event the engine logs. */
export type EngineEvent =
  | MessageEvent
  | MessageHandlerExceptionEvent
  | AgentConstructionExceptionEvent
  | MessageDroppedEvent
  | UnhandledMessageEvent
  | InterventionExceptionEvent
  | AgentActivatedEvent
  | AgentDeactivatedEvent
  | StateSaveFailedEvent
  | TurnBlockedEvent;
