export { NatsKvStateStore, StateEntryError, type NatsKvStateStoreOptions } from './state/nats-kv-state-store.js';
