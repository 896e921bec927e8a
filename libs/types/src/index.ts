export { AgentId, validateAgentType } from './agent-id.js';
export { AgentType } from './agent-type.js';
export { MessageChannel } from './message-channel.js';
export { DefaultMessageChannel } from './default-message-channel.js';
export type { AgentMetadata } from './agent-metadata.js';
export type { Agent, AgentState } from './agent.js';
export { isNoOpLifecycle, markNoOpLifecycle, noOpLifecycle } from './agent.js';
export type {
  AgentBuilder,
  AgentClass,
  AgentConcurrency,
  AgentLifecycleOptions,
  AgentPersistence,
  AgentEngine,
  EngineState,
  GetAgentOptions,
  RegisterAgentBuilderOptions,
  SendOptions,
} from './agent-engine.js';
export type { StopOptions } from './stop-options.js';
export type { MessageContext } from './message-context.js';
export {
  ResponseClass,
  ResponseType,
  responseClassOf,
  type ResponseClassOf,
  type DeclaresResponse,
  type InferResponse,
  type MessageWithResponse,
  type ResponseOf,
  type SendableMessage,
  type SendMessageResult,
} from './response-type.js';
export { NotHandled } from './not-handled.js';
export { CancellationToken } from './cancellation-token.js';
export type { Subscription } from './subscription.js';
export { MessageHandlerContext, OutsideContextError } from './message-handler-context.js';
export { ASYNC_CONTEXT_FRAMES, type CallChain } from './context-storage.js';
export { AgentInstantiationContext } from './agent-instantiation-context.js';
export {
  AgentNotFoundError,
  AgentOperaError,
  CancelledError,
  CantHandleError,
  EngineStateError,
  EngineStoppedError,
  InvalidStateError,
  MessageDroppedError,
  UndeliverableError,
  describeValue,
} from './errors.js';
