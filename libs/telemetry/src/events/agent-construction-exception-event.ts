import type { AgentId } from '@agentopera/types';
import { describeException, type ExceptionDescription } from '../describe-exception.js';
import { BaseEngineEvent } from './base-engine-event.js';

/** Fields of an {@link AgentConstructionExceptionEvent}. */
export interface AgentConstructionExceptionEventFields {
  readonly agentId: AgentId;
  /** Whatever was thrown, as thrown. */
  readonly exception: unknown;
}

/** JSON form of an {@link AgentConstructionExceptionEvent}. */
export interface AgentConstructionExceptionEventJson {
  readonly type: 'AgentConstructionException';
  readonly agentId: string;
  readonly exception: ExceptionDescription;
}

/** An agent builder threw (or rejected) while building the agent for `agentId`. */
export class AgentConstructionExceptionEvent
  extends BaseEngineEvent<AgentConstructionExceptionEventFields, AgentConstructionExceptionEventJson>
  implements AgentConstructionExceptionEventFields
{
  declare readonly agentId: AgentId;
  declare readonly exception: unknown;

  toJSON(): AgentConstructionExceptionEventJson {
    return {
      type: 'AgentConstructionException',
      agentId: this.agentId.toString(),
      exception: describeException(this.exception),
    };
  }
}
