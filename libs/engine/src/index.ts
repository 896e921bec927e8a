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
