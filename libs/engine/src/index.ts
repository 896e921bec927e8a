export { LocalAgentEngine } from './local-agent-engine.js';
export type { LocalAgentEngineOptions, QueueOption } from './local-agent-engine-options.js';
export {
  PublishMessageEnvelope,
  ResponseMessageEnvelope,
  SendMessageEnvelope,
  type MessageEnvelope,
} from './envelopes.js';
export { DefaultInterventionHandler, DropMessage, type InterventionHandler } from './intervention-handler.js';
export { EngineMessageContext } from './engine-message-context.js';
export { TurnNotCommittedError } from './turn-not-committed-error.js';

// Building blocks of an engine, for engines that reuse the local engine's machinery (the NATS
// engine does): the agent directory (registration, activation, deactivation, state), the handler
// runner (turns and per-turn saves) and the event log.
export { AgentDirectory, type AgentDirectoryOptions } from './agent-directory.js';
export { Activation } from './activation.js';
export { Turn, type TurnOwner, type TurnWork } from './turn.js';
export { LiveAgents } from './live-agents.js';
export { PendingActivation, type ActivationFailed, type ActivationReady } from './pending-activation.js';
export { DeliveryEpoch } from './bare-deliveries.js';
export { AgentRegistration } from './agent-registration.js';
export { HandlerRunner } from './handler-runner.js';
export { EngineEventLog } from './engine-event-log.js';
export { StateStoreTimeoutError } from './agent-state-persistence.js';
export { DEFAULT_STATE_STORE_TIMEOUT_MS } from './engine-options.js';
export { DEFAULT_TURN_BLOCKED_WARNING_MS } from './turn-watch.js';
export { parseEngineState } from './engine-state.js';
export { throwAll } from './failure.js';

// The facade and intake every engine shares, so one program runs on any engine: an engine that
// extends `AgentEngineFacade` and checks its calls with these behaves as the local engine does.
export { AgentEngineFacade } from './agent-engine-facade.js';
export { callProblem, callToken, cancelledError, linkSignal } from './call-options.js';
export { intervene } from './interventions.js';
