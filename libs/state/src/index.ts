export type { DeleteStateOptions, SetStateOptions, StateStore, StoredState } from './state-store.js';
export { CorruptStateError, StateConflictError, StateStoreClosedError, StateStoreLocationError } from './errors.js';
export { assertJsonSafeState } from './json-safe-state.js';
export { InMemoryStateStore } from './in-memory-state-store.js';
export { FileStateStore } from './file-state-store.js';
