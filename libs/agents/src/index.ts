export { BaseAgent, type AgentSendOptions, type RegisterOptions } from './base-agent.js';
export { RoutedAgent } from './routed-agent.js';
export { handledMessageClasses } from './route-table.js';
export { event, messageHandler, rpc } from './message-handlers.js';
export type {
  HandlerDecorator,
  HandlerDecoratorFactory,
  HandlerKind,
  HandlerMethod,
  HandlerMethodCheck,
  HandlerOptions,
  HandlerResponse,
  InferredHandlerDecorator,
  MatchFunction,
  MessageClass,
  MessageOf,
  NameTheMessageClass,
} from './handler-types.js';
export { defineHandlers, type HandlerFor, type HandlerTable } from './define-handlers.js';
export {
  defaultSubscription,
  subscriptionFactory,
  typeSubscription,
  type AgentClassDecorator,
} from './subscription-decorators.js';
export type { SubscriptionFactory } from './subscription-factory.js';
export { ClosureAgent, type Closure, type ClosureAgentOptions, type ClosureContext } from './closure-agent.js';
export { AgentBindingError, HandlerDefinitionError } from './errors.js';
