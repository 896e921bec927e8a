import type { AgentId } from '@agentopera/types';
import { BaseEngineEvent } from './base-engine-event.js';

/**
 * Why an agent was deactivated. `'failed-turn'`: a turn of an agent persisted per turn failed, so
 * its instance, whose memory may hold half-done changes, was dropped unsaved.
 */
export type DeactivationReason = 'idle' | 'capacity' | 'requested' | 'close' | 'failed-turn';

/** Fields of an {@link AgentDeactivatedEvent}. */
export interface AgentDeactivatedEventFields {
  readonly agentId: AgentId;
  readonly reason: DeactivationReason;
  /** Whether its state was saved to the store first. */
  readonly stateSaved: boolean;
}

/** JSON form of an {@link AgentDeactivatedEvent}. */
export interface AgentDeactivatedEventJson {
  readonly type: 'AgentDeactivated';
  readonly agentId: string;
  readonly reason: DeactivationReason;
  readonly stateSaved: boolean;
}

/** An agent instance was closed and dropped; its next message builds a new one. */
export class AgentDeactivatedEvent
  extends BaseEngineEvent<AgentDeactivatedEventFields, AgentDeactivatedEventJson>
  implements AgentDeactivatedEventFields
{
  declare readonly agentId: AgentId;
  declare readonly reason: DeactivationReason;
  declare readonly stateSaved: boolean;

  toJSON(): AgentDeactivatedEventJson {
    return { type: 'AgentDeactivated', agentId: this.agentId.toString(), reason: this.reason, stateSaved: this.stateSaved };
  }
}
