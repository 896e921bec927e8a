export { NatsAgentEngine } from './engine/nats-agent-engine.js';
export type { NatsAgentEngineOptions } from './engine/nats-engine-options.js';
export type { ClusterTimings } from './cluster/cluster-node.js';
export { DeliveryTimeoutError, RemoteHandlerError } from './errors.js';
export { DuplicateMessageError } from './engine/outbound.js';
export { UnsharableSubscriptionError } from './engine/cluster-subscriptions.js';
export { FencedOutError } from './cluster/fenced-state.js';
export { PublishFailedError } from './cluster/jetstream-publisher.js';
export { NatsKvStateStore, type NatsKvStateStoreOptions } from './state/nats-kv-state-store.js';
