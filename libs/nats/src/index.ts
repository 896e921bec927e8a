export { NatsAgentEngine } from './engine/nats-agent-engine.js';
export type { NatsAgentEngineOptions } from './engine/nats-engine-options.js';
export type { ClusterTimings } from './cluster/cluster-node.js';
export { DeliveryTimeoutError, DuplicateMessageError, RemoteHandlerError } from './errors.js';
export { SubscriptionsNotCurrentError, UnsharableSubscriptionError } from './engine/cluster-subscriptions.js';
export { FencedOutError } from './cluster/fenced-state.js';
export { PublishFailedError, PublishTimeoutError } from './cluster/jetstream-publisher.js';
export { NatsKvStateStore, type NatsKvStateStoreOptions } from './state/nats-kv-state-store.js';
// The names of a cluster's subjects, streams, consumers and buckets, and the subject-token codec
// (decodeToken reads a token back from a subject, for diagnostics).
export { ClusterNames } from './cluster/cluster-names.js';
export { decodeToken, encodeToken } from './subject-codec.js';
export { partitionOf } from './partition.js';
