import { assertJsonSafeState, type StateStore } from '@agentopera/state';
import { AgentOperaError, type AgentId } from '@agentopera/types';
import type { Activation } from './activation.js';

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
 */
export class AgentStatePersistence {
  constructor(
    readonly store: StateStore,
    private readonly timeoutMs: number,
  ) {}

  /** Loads the stored state into a freshly built instance (before its first message). */
  async load(activation: Activation): Promise<void> {
    const stored = await this.bounded('get', activation.id, this.store.get(activation.id));
    if (stored === undefined) {
      activation.stateVersion = null;
      return;
    }
    await activation.agent.loadState(stored.state);
    activation.stateVersion = stored.version;
  }

  /**
   * Saves the instance's current state; the store is not touched when the state is not JSON-safe.
   * Saves of one instance are chained (handlers of a concurrent agent may finish together), so
   * each compares against the version the previous one wrote.
   */
  save(activation: Activation): Promise<void> {
    const previous = activation.saving;
    const save = previous === undefined ? this.saveNow(activation) : previous.then(() => this.saveNow(activation), () => this.saveNow(activation));
    activation.saving = save;
    const clear = (): void => {
      if (activation.saving === save) activation.saving = undefined;
    };
    save.then(clear, clear);
    return save;
  }

  private async saveNow(activation: Activation): Promise<void> {
    const state: unknown = await activation.agent.saveState();
    assertJsonSafeState(activation.id, state);
    const version = await this.bounded(
      'set',
      activation.id,
      this.store.set(activation.id, state, { expectedVersion: activation.stateVersion }),
    );
    activation.stateVersion = version;
  }

  private bounded<T>(operation: 'get' | 'set', id: AgentId, call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StateStoreTimeoutError(operation, id, this.timeoutMs)), this.timeoutMs);
      timer.unref?.();
      call.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
