export { NatsKvStateStore, type NatsKvStateStoreOptions } from './state/nats-kv-state-store.js';
