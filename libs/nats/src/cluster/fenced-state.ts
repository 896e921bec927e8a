import { AgentOperaError, describeValue, type AgentId, type AgentState } from '@agentopera/types';
import { DuplicateMessageError } from '../errors.js';
import { StateConflictError, type StateStore } from '@agentopera/state';

/** This process lost an agent to another (a newer epoch): it must neither commit nor ack. */
export class FencedOutError extends AgentOperaError {
  override readonly name: string = 'FencedOutError';
  override readonly code: string = 'FENCED_OUT';
  constructor(
    readonly id: AgentId,
    readonly epoch: number,
    options?: ErrorOptions,
  ) {
    super(`This process no longer owns ${id}: its activation (epoch ${epoch}) was superseded`, options);
  }
}

const CALL_SEPARATOR = '\u0000';

/**
 * What a committed turn is remembered by: its message id, and for a call also the call (caller
 * process and request id), so that the same call redelivered can be told from another call that
 * reuses the id.
 */
export function turnKey(messageId: string, call?: string): string {
  return call === undefined ? messageId : messageId + CALL_SEPARATOR + call;
}

function messageIdOf(key: string): string {
  const at = key.indexOf(CALL_SEPARATOR);
  return at < 0 ? key : key.slice(0, at);
}

/** A turn whose message id the agent already committed: refused, nothing written. */
export class AlreadyCommittedError extends DuplicateMessageError {
  constructor(
    id: AgentId,
    /** The id of the message whose turn was refused. */
    readonly messageId: string,
    /** Whether the committed turn was this very call (a redelivery), not another call reusing its id. */
    readonly sameCall: boolean,
  ) {
    super(`A message with id ${describeValue(messageId)} already changed the state of ${id}: its copy is not committed`);
  }
}

/** Where a message stands in its stream, for how long its id must be kept once its turn committed. */
export interface StreamPosition {
  /** The message's sequence in its stream. */
  readonly seq: number;
  /** Its consumer's ack floor as last seen: every message up to it is acknowledged, never delivered again. */
  readonly ackFloor: number;
}

/** The fencing record kept beside an agent's state in its store entry. */
export interface FenceRecord {
  /** Incremented by every activation, on any process. */
  readonly epoch: number;
  /** The process that wrote this epoch. */
  readonly owner: string;
  /** Turn keys (`turnKey`) of the latest messages whose turn committed (persistence 'turn'), newest last. */
  readonly processed: readonly string[];
  /** The stream sequence of each of `processed` (0: not known). */
  readonly sequences: readonly number[];
}

/** The committed-id ring may outgrow its size this many times over while its oldest messages may still come again. */
const RING_HARD_CAP_FACTOR = 8;

/** How an agent's entry looks in the store: its own state plus the fence. */
export interface FencedEntry {
  readonly fence: FenceRecord;
  /** `null` until the agent first saves. */
  readonly state: AgentState | null;
}

/**
 * One tenure of one agent's stored state by this process: the epoch its activation wrote, the
 * version it wrote last, and the ids of the messages whose turns it committed.
 */
export class Tenure {
  /** The commit under way, if any: the next one starts after it settles. @internal */
  pending: Promise<void> | undefined = undefined;
  /**
   * A commit failed for a reason other than a conflict (a timeout, the broker down): it may or may
   * not have landed, so the version this process wrote last is unknown until read again. @internal
   */
  uncertain = false;

  constructor(
    readonly id: AgentId,
    readonly epoch: number,
    /** The store version this process wrote last; the next commit must find exactly it. */
    public version: string,
    /** The state last committed (at activation: to load into the new instance), if any. */
    public state: AgentState | undefined,
    private processed: readonly string[],
    private sequences: readonly number[],
  ) {}

  /** Whether a message with this id already changed this agent's state (a redelivered duplicate). */
  hasProcessed(messageId: string): boolean {
    return this.processedAs(messageId) !== undefined;
  }

  /** The turn key (see `turnKey`) under which a message with this id was committed, if it was. */
  processedAs(messageId: string): string | undefined {
    const prefix = messageId + CALL_SEPARATOR;
    return this.processed.find((key) => key === messageId || key.startsWith(prefix));
  }

  /**
   * The ring with `key` added: beyond the newest `ringSize`, an id is dropped only once its message
   * can no longer come again (at or below the ack floor, or of unknown position): a message whose
   * ack was lost comes back after however many later ones a backlog held. `ringSize` times
   * `RING_HARD_CAP_FACTOR` bounds it still. @internal
   */
  recordProcessed(key: string | undefined, ringSize: number, position?: StreamPosition): { processed: string[]; sequences: number[] } {
    const processed = [...this.processed];
    const sequences = [...this.sequences];
    if (key === undefined) return { processed, sequences };
    const at = processed.indexOf(key);
    if (at >= 0) {
      processed.splice(at, 1);
      sequences.splice(at, 1);
    }
    processed.push(key);
    sequences.push(position?.seq ?? 0);
    const floor = position?.ackFloor ?? 0;
    for (let i = 0; i < processed.length - ringSize; ) {
      const seq = sequences[i] ?? 0;
      if (seq === 0 || seq <= floor) {
        processed.splice(i, 1);
        sequences.splice(i, 1);
      } else i++;
    }
    const excess = processed.length - ringSize * RING_HARD_CAP_FACTOR;
    if (excess > 0) {
      processed.splice(0, excess);
      sequences.splice(0, excess);
    }
    return { processed, sequences };
  }

  /** @internal */
  committed(version: string, ring: { readonly processed: readonly string[]; readonly sequences: readonly number[] }, state: AgentState): void {
    this.version = version;
    this.processed = ring.processed;
    this.sequences = ring.sequences;
    this.state = state;
  }
}

const ACTIVATION_ATTEMPTS = 5;

/**
 * Single ownership of agent state across processes. On activation the new owner writes the next
 * epoch into the agent's entry by compare-and-set, and every later commit is a compare-and-set on
 * the version it wrote last: once another process has activated the agent, the old owner's
 * commit fails with `FencedOutError` and it must not ack the message. Works on any `StateStore`
 * that honours `expectedVersion`.
 *
 * The entry also carries the ids of the last `ringSize` messages whose turns committed, written in
 * the same compare-and-set as the state, so a redelivered message changes the state once.
 */
export class FencedState {
  constructor(
    private readonly store: StateStore,
    private readonly processId: string,
    private readonly ringSize = 128,
  ) {}

  /** Takes the agent over: reads its entry and writes the next epoch. `stillOwner` is asked before each try. */
  async activate(id: AgentId, stillOwner: () => boolean = () => true): Promise<Tenure> {
    let lastConflict: unknown;
    for (let attempt = 0; attempt < ACTIVATION_ATTEMPTS; attempt++) {
      if (!stillOwner()) throw new FencedOutError(id, 0, { cause: lastConflict });
      const stored = await this.store.get(id);
      const entry = stored === undefined ? undefined : asEntry(stored.state);
      const fence: FenceRecord = {
        epoch: (entry?.fence.epoch ?? 0) + 1,
        owner: this.processId,
        processed: entry?.fence.processed ?? [],
        sequences: entry?.fence.sequences ?? [],
      };
      const next: FencedEntry = { fence, state: entry?.state ?? null };
      try {
        const version = await this.store.set(id, next as unknown as AgentState, { expectedVersion: stored?.version ?? null });
        return new Tenure(id, fence.epoch, version, next.state ?? undefined, fence.processed, fence.sequences);
      } catch (error) {
        if (!(error instanceof StateConflictError)) throw error;
        lastConflict = error; // another activation raced ours (a lease changing hands): read again
      }
    }
    throw new FencedOutError(id, 0, { cause: lastConflict });
  }

  /**
   * Commits `state` (and, for a turn, its message id) if this tenure still holds the agent.
   * Commits of one tenure run one after another. After a commit that failed without a
   * conflict, the next one first reads the entry back: if it still carries this tenure's epoch
   * the agent is still ours (whichever of our writes landed), and the commit goes on from there.
   */
  commit(tenure: Tenure, state: AgentState, key?: string, position?: StreamPosition): Promise<void> {
    const previous = tenure.pending;
    const attempt = (async () => {
      if (previous !== undefined) await previous.catch(() => {});
      if (tenure.uncertain) await this.resync(tenure);
      await this.write(tenure, state, key, position);
    })();
    tenure.pending = attempt;
    return attempt;
  }

  private async write(tenure: Tenure, state: AgentState, key: string | undefined, position: StreamPosition | undefined): Promise<void> {
    // The last check of "a redelivered message changes the state once": whatever let a copy of a
    // committed message run again, its turn does not land.
    if (key !== undefined) {
      const messageId = messageIdOf(key);
      const first = tenure.processedAs(messageId);
      if (first !== undefined) throw new AlreadyCommittedError(tenure.id, messageId, first === key);
    }
    const ring = tenure.recordProcessed(key, this.ringSize, position);
    const entry: FencedEntry = {
      fence: { epoch: tenure.epoch, owner: this.processId, ...ring },
      state,
    };
    try {
      const version = await this.store.set(tenure.id, entry as unknown as AgentState, { expectedVersion: tenure.version });
      tenure.committed(version, ring, state);
    } catch (error) {
      if (error instanceof StateConflictError) throw new FencedOutError(tenure.id, tenure.epoch, { cause: error });
      tenure.uncertain = true;
      throw error;
    }
  }

  /** Learns the version this tenure wrote last, or finds that another activation took over. */
  private async resync(tenure: Tenure): Promise<void> {
    const stored = await this.store.get(tenure.id);
    const entry = stored === undefined ? undefined : asEntry(stored.state);
    if (stored === undefined || entry === undefined || entry.fence.epoch !== tenure.epoch || entry.fence.owner !== this.processId) {
      throw new FencedOutError(tenure.id, tenure.epoch);
    }
    tenure.committed(stored.version, entry.fence, entry.state ?? {});
    tenure.uncertain = false;
  }

  /** The fence of an agent as stored (for diagnostics and tests). */
  async read(id: AgentId): Promise<FencedEntry | undefined> {
    const stored = await this.store.get(id);
    return stored === undefined ? undefined : asEntry(stored.state);
  }
}

/** Reads an entry; a plain state (written by an engine without fencing) becomes epoch 0. */
function asEntry(value: AgentState): FencedEntry {
  const fence = value['fence'] as Partial<FenceRecord> | undefined;
  if (fence !== undefined && typeof fence === 'object' && typeof fence.epoch === 'number' && 'state' in value) {
    const processed = Array.isArray(fence.processed) ? fence.processed.map(String) : [];
    // Written without positions (an earlier version): each is of unknown position.
    const sequences = Array.isArray(fence.sequences) && fence.sequences.length === processed.length ? fence.sequences.map((seq) => Number(seq) || 0) : processed.map(() => 0);
    return {
      fence: { epoch: fence.epoch, owner: String(fence.owner), processed, sequences },
      state: (value['state'] as AgentState | null) ?? null,
    };
  }
  return { fence: { epoch: 0, owner: '', processed: [], sequences: [] }, state: value };
}
