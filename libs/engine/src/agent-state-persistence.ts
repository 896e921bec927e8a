import { assertJsonSafeState, synchronousStateAccess, type StateStore, type StoredState, type SynchronousStateAccess } from '@agentopera/state';
import { AgentOperaError, isNoOpLifecycle, type AgentId, type AgentState } from '@agentopera/types';
import type { Activation } from './activation.js';
import { callLifecycle, Failure, type Completion } from './failure.js';
import { Later, whenReady } from './later.js';
import { StoreDeadlines } from './store-deadlines.js';

/** What a `saveState` marked as a no-op returns. */
const EMPTY_STATE: AgentState = Object.freeze({});

/** A state store call that did not settle within the engine's `stateStoreTimeoutMs`. */
export class StateStoreTimeoutError extends AgentOperaError {
  override readonly name = 'StateStoreTimeoutError';
  override readonly code = 'STATE_STORE_TIMEOUT';

  constructor(
    readonly operation: 'get' | 'set',
    readonly agentId: AgentId,
    readonly timeoutMs: number,
  ) {
    super(`The state store did not answer ${operation}(${agentId.toString()}) within ${timeoutMs} ms`);
  }
}

/**
 * Moves agent state between live instances and the state store. Writes are compare-and-set
 * against the version the instance loaded or last wrote, so an instance that lost its place to
 * another (a second process, a stale activation) cannot overwrite the newer state. Every store
 * call is bounded by `timeoutMs`: a store that never answers fails the operation instead of
 * hanging the caller.
 *
 * Written with completion callbacks rather than async functions, and using a store's
 * `SynchronousStateAccess` when it offers one: an agent activated under a cap loads its own state
 * and saves a victim's, and on Node 20 every promise in that path is paid for again by
 * AsyncLocalStorage's promise hooks. A synchronous store call needs no timeout: it cannot hang.
 */
export class AgentStatePersistence {
  private readonly deadlines: StoreDeadlines;
  private readonly setOptions: { expectedVersion: string | null } = { expectedVersion: null };
  private readonly sync: SynchronousStateAccess | undefined;

  constructor(
    readonly store: StateStore,
    timeoutMs: number,
  ) {
    this.deadlines = new StoreDeadlines(timeoutMs);
    this.sync = synchronousStateAccess(store);
  }

  /** Loads the stored state into a freshly built instance (before its first message). */
  load(activation: Activation): Promise<void> {
    return new Promise<void>((resolve, reject) => this.loadThen(activation, (failure) => (failure === undefined ? resolve() : reject(failure.error))));
  }

  loadThen(activation: Activation, done: Completion): void {
    whenReady(this.loadNow(activation), (failure) => done(failure ?? undefined));
  }

  /**
   * `loadThen` that returns its outcome (`null`: loaded, or nothing stored) when it ends at once (a
   * store with synchronous access, and nothing stored or a no-op `loadState`), else a `Later` of it.
   */
  loadNow(activation: Activation): Failure | null | Later<Failure | null> {
    const store = this.store;
    const sync = this.sync;
    if (sync === undefined) {
      const later = new Later<Failure | null>();
      this.bounded('get', activation.id, () => store.get(activation.id), (stored) => whenReady(this.loaded(activation, stored), (outcome) => later.end(outcome)), (failure) => later.end(failure ?? null));
      return later;
    }
    let stored: StoredState | undefined;
    try {
      stored = sync.get(activation.id);
    } catch (error) {
      return new Failure(error);
    }
    return this.loaded(activation, stored);
  }

  private loaded(activation: Activation, stored: StoredState | undefined): Failure | null | Later<Failure | null> {
    if (stored === undefined) {
      activation.stateVersion = null;
      return null;
    }
    if (isNoOpLifecycle(activation.agent.loadState)) {
      activation.stateVersion = stored.version;
      return null;
    }
    const later = new Later<Failure | null>();
    callLifecycle(activation.agent, 'loadState', stored.state, undefined, (failure) => {
      if (failure === undefined) activation.stateVersion = stored.version;
      later.end(failure ?? null);
    });
    return later;
  }

  /**
   * Saves the instance's current state; the store is not touched when the state is not JSON-safe.
   * Saves of one instance are chained (handlers of a concurrent agent may finish together), so
   * each compares against the version the previous one wrote.
   */
  save(activation: Activation): Promise<void> {
    return new Promise<void>((resolve, reject) => this.saveThen(activation, (failure) => (failure === undefined ? resolve() : reject(failure.error))));
  }

  /**
   * Saves at once when that needs no callback: no save of this instance is running, its
   * `saveState` is marked as a no-op (the state is `{}`) and the store offers synchronous access. `null` when
   * saved, the `Failure` when not; `undefined` when it cannot save at once (use `saveThen`).
   */
  saveNowIfImmediate(activation: Activation): Failure | null | undefined {
    const sync = this.sync;
    if (sync === undefined || activation.isSaving || !isNoOpLifecycle(activation.agent.saveState)) return undefined;
    try {
      // The call is synchronous, so one options object serves every save; the state is a copy-in.
      this.setOptions.expectedVersion = activation.stateVersion;
      activation.stateVersion = sync.set(activation.id, EMPTY_STATE, this.setOptions);
      return null;
    } catch (error) {
      return new Failure(error);
    }
  }

  saveThen(activation: Activation, done: Completion): void {
    activation.startSave(() => this.saveNow(activation, done));
  }

  private saveNow(activation: Activation, done: Completion): void {
    const finish = (failure?: Failure): void => {
      done(failure);
      activation.saveEnded();
    };
    callLifecycle<unknown>(activation.agent, 'saveState', undefined, {}, (failure, state) => {
      if (failure !== undefined) return finish(failure);
      try {
        assertJsonSafeState(activation.id, state);
      } catch (unsafe) {
        return finish(new Failure(unsafe));
      }
      const written = (version: string): void => {
        activation.stateVersion = version;
        finish();
      };
      const sync = this.sync;
      const options = { expectedVersion: activation.stateVersion };
      if (sync === undefined) {
        const store = this.store;
        return this.bounded('set', activation.id, () => store.set(activation.id, state as AgentState, options), written, finish);
      }
      let version: string;
      try {
        version = sync.set(activation.id, state as AgentState, options);
      } catch (error) {
        return finish(new Failure(error));
      }
      written(version);
    });
  }

  /** Runs one store call under the timeout; exactly one of `ok` and `failed` is called. */
  private bounded<T>(operation: 'get' | 'set', id: AgentId, call: () => Promise<T>, ok: (value: T) => void, failed: Completion): void {
    let promise: Promise<T>;
    try {
      promise = call();
    } catch (error) {
      return failed(new Failure(error));
    }
    const pending = this.deadlines.add(() => failed(new Failure(new StateStoreTimeoutError(operation, id, this.deadlines.timeoutMs))));
    promise.then(
      (value) => {
        if (this.deadlines.settle(pending)) ok(value);
      },
      (error: unknown) => {
        if (this.deadlines.settle(pending)) failed(new Failure(error));
      },
    );
  }
}
