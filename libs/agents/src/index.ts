export { BaseAgent, type AgentSendOptions, type RegisterOptions } from './base-agent.js';
export { RoutedAgent } from './routed-agent.js';
export { handledMessageClasses } from './route-table.js';
export {
  event,
  messageHandler,
  rpc,
  type HandlerDecorator,
  type HandlerDecoratorFactory,
  type HandlerKind,
  type HandlerMethod,
  type HandlerOptions,
  type MatchFunction,
  type MessageClass,
  type MessageOf,
} from './message-handlers.js';
export {
  defaultSubscription,
  subscriptionFactory,
  typeSubscription,
  type AgentClassDecorator,
} from './subscription-decorators.js';
export type { SubscriptionFactory } from './subscription-factory.js';
export { ClosureAgent, type Closure, type ClosureAgentOptions, type ClosureContext } from './closure-agent.js';
export { AgentBindingError, HandlerDefinitionError } from './errors.js';
