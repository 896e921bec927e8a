import type { AgentId } from '@agentopera/types';
import { describeException, type ExceptionDescription } from '../describe-exception.js';
import { BaseEngineEvent } from './base-engine-event.js';

/** When a failed save was attempted. */
export type StateSaveOccasion = 'turn' | 'deactivate' | 'stop' | 'close';

/** Fields of a {@link StateSaveFailedEvent}. */
export interface StateSaveFailedEventFields {
  readonly agentId: AgentId;
  readonly occasion: StateSaveOccasion;
  /** Whatever the store (or the state check) threw. */
  readonly exception: unknown;
}

/** JSON form of a {@link StateSaveFailedEvent}. */
export interface StateSaveFailedEventJson {
  readonly type: 'StateSaveFailed';
  readonly agentId: string;
  readonly occasion: StateSaveOccasion;
  readonly exception: ExceptionDescription;
}

/**
 * An agent's state could not be saved. On deactivation the agent stays active and the save is
 * tried again later; an operator watching persistence wants every one of these.
 */
export class StateSaveFailedEvent
  extends BaseEngineEvent<StateSaveFailedEventFields, StateSaveFailedEventJson>
  implements StateSaveFailedEventFields
{
  declare readonly agentId: AgentId;
  declare readonly occasion: StateSaveOccasion;
  declare readonly exception: unknown;

  toJSON(): StateSaveFailedEventJson {
    return {
      type: 'StateSaveFailed',
      agentId: this.agentId.toString(),
      occasion: this.occasion,
      exception: describeException(this.exception),
    };
  }
}
