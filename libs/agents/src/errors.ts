import { AgentOperaError } from '@agentopera/types';

/**
 * A message handler decorator was applied in a way that cannot route messages (for example the
 * message type cannot be learned). Thrown at class definition, not on the first message.
 */
export class HandlerDefinitionError extends AgentOperaError {
  override readonly name: string = 'HandlerDefinitionError';
  override readonly code: string = 'HANDLER_DEFINITION';
}

/** An agent was used before it was bound to an id and engine, or bound to a second one. */
export class AgentBindingError extends AgentOperaError {
  override readonly name: string = 'AgentBindingError';
  override readonly code: string = 'AGENT_BINDING';
}
