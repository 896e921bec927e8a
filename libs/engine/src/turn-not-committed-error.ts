import { AgentOperaError, type AgentId } from '@agentopera/types';

/**
 * A handler of an agent persisted per turn finished, but its instance had been dropped meanwhile
 * (another of its handlers failed, or `close()` gave up waiting for it): its memory could not be
 * trusted, so the turn's state was not saved and its caller hears this instead of a result.
 */
export class TurnNotCommittedError extends AgentOperaError {
  override readonly name = 'TurnNotCommittedError';
  override readonly code = 'TURN_NOT_COMMITTED';

  constructor(readonly agentId: AgentId) {
    super(`The turn of ${agentId.toString()} was not saved: its instance was dropped before the turn ended (another handler of it failed, or the engine closed)`);
  }
}
