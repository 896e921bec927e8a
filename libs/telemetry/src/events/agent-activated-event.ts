import type { AgentId } from '@agentopera/types';
import { BaseEngineEvent } from './base-engine-event.js';

/** Fields of an {@link AgentActivatedEvent}. */
export interface AgentActivatedEventFields {
  readonly agentId: AgentId;
  /** Whether stored state was loaded into the new instance. */
  readonly stateLoaded: boolean;
}

/** JSON form of an {@link AgentActivatedEvent}. */
export interface AgentActivatedEventJson {
  readonly type: 'AgentActivated';
  readonly agentId: string;
  readonly stateLoaded: boolean;
}

/** An agent instance was built (and its stored state loaded) before its first message. */
export class AgentActivatedEvent
  extends BaseEngineEvent<AgentActivatedEventFields, AgentActivatedEventJson>
  implements AgentActivatedEventFields
{
  declare readonly agentId: AgentId;
  declare readonly stateLoaded: boolean;

  toJSON(): AgentActivatedEventJson {
    return { type: 'AgentActivated', agentId: this.agentId.toString(), stateLoaded: this.stateLoaded };
  }
}
