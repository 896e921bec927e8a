export type { DeleteStateOptions, SetStateOptions, StateStore, StoredState } from './state-store.js';
export { CorruptStateError, StateConflictError, StateStoreClosedError, StateStoreLocationError } from './errors.js';
export { assertJsonSafeState } from './json-safe-state.js';
export {
  SYNCHRONOUS_STATE_ACCESS,
  synchronousStateAccess,
  type SynchronousStateAccess,
  type SynchronouslyAccessibleStateStore,
} from './synchronous-state-access.js';
export { InMemoryStateStore } from './in-memory-state-store.js';
export { FileStateStore } from './file-state-store.js';
