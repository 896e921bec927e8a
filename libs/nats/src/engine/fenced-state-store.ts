import { AsyncLocalStorage } from 'node:async_hooks';
import { StateStoreTimeoutError } from '@agentopera/engine';
import type { DeleteStateOptions, SetStateOptions, StateStore, StoredState } from '@agentopera/state';
import type { AgentId, AgentState } from '@agentopera/types';
import { FencedOutError, FencedState, type Tenure, type StreamPosition } from '../cluster/fenced-state.js';
import { isInfrastructureError } from '../jetstream-errors.js';

/** Errors of the broker or the store met by the engine's own reads and writes of agent state. */
const storeFaults = new WeakSet<object>();

/**
 * Whether `error` is a fault of the broker or the store that the engine met loading or saving an
 * agent's state (not one a handler threw, whatever its class): the turn committed nothing and is
 * run again once the broker is back, uncounted.
 */
export function isStoreFault(error: unknown): boolean {
  return error instanceof StateStoreTimeoutError || (typeof error === 'object' && error !== null && storeFaults.has(error));
}

function marked(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && isInfrastructureError(error)) storeFaults.add(error);
  return error;
}

/** The message whose turn runs: its turn key (`turnKey`) and where it stands in its stream. */
export interface TurnOf extends StreamPosition {
  readonly key: string;
}

const turns = new AsyncLocalStorage<TurnOf>();

/** Runs `fn` as the turn of `turn`'s message: a save inside it records the message with the state. */
export function runAsTurnOf<T>(turn: TurnOf, fn: () => T): T {
  return turns.run(turn, fn);
}

/**
 * The `StateStore` the engine's agent directory sees: each load is an activation that writes the
 * next fencing epoch into the agent's entry, and each save is a compare-and-set on the version this
 * process wrote last (read back after a save that failed without a conflict), with the id of the
 * message whose turn it ends. So a process that lost an
 * agent can no longer write its state: a save inside a turn then fails with `FencedOutError` (the
 * message is not acked and its next owner handles it); a save on deactivation is dropped, since
 * the next owner already has the state (and the unacknowledged messages).
 */
export class FencedStateStore implements StateStore {
  /** This process's tenure of each agent it loaded, by the id object of the instance that loaded it. */
  private readonly tenures = new WeakMap<AgentId, Tenure>();
  private readonly fenced: FencedState;

  constructor(
    private readonly inner: StateStore,
    processId: string,
    /** Whether this process owns the agent now (holds the lease of its partition). */
    private readonly owns: (id: AgentId) => boolean,
    /** A save dropped because the agent moved away: for the event log. */
    private readonly dropped: (id: AgentId, error: FencedOutError) => void,
  ) {
    this.fenced = new FencedState(inner, processId);
  }

  async get(id: AgentId): Promise<StoredState | undefined> {
    const tenure = await this.fenced.activate(id, () => this.owns(id)).catch((error: unknown) => Promise.reject(marked(error)));
    this.tenures.set(id, tenure);
    return tenure.state === undefined ? undefined : { state: tenure.state, version: tenure.version };
  }

  async set(id: AgentId, state: AgentState, _options?: SetStateOptions): Promise<string> {
    const tenure = this.tenures.get(id);
    const turn = turns.getStore();
    try {
      if (tenure === undefined || !this.owns(id)) throw new FencedOutError(id, tenure?.epoch ?? 0);
      await this.fenced.commit(tenure, state, turn?.key, turn);
      return tenure.version;
    } catch (error) {
      // A failure that is no conflict (a timeout, the broker down) leaves the tenure: the next
      // save reads back which write landed. The engine drops an instance whose turn failed.
      if (!(error instanceof FencedOutError)) throw marked(error);
      this.tenures.delete(id);
      if (turn !== undefined) throw error;
      // Deactivating an agent this process lost: its next owner has the state that counts.
      this.dropped(id, error);
      return 'fenced-out';
    }
  }

  /**
   * This process no longer owns the agent (its partition was lost, or a save was fenced out): its
   * instance's memory may hold changes that were never committed, so no later save may land.
   */
  fenceOff(id: AgentId): void {
    this.tenures.delete(id);
  }

  delete(id: AgentId, options?: DeleteStateOptions): Promise<boolean> {
    return this.inner.delete(id, options);
  }

  /** Whether the instance behind this id (the directory's `activation.id`) may still save. */
  isLive(id: AgentId): boolean {
    return this.tenures.has(id);
  }

  /** The turn key under which the live activation of this id (the directory's `activation.id`) committed `messageId`, if it did. */
  processedAs(id: AgentId, messageId: string): string | undefined {
    return this.tenures.get(id)?.processedAs(messageId);
  }
}
