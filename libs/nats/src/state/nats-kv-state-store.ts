import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { describeValue, validateAgentType, type AgentId, type AgentState } from '@agentopera/types';
import {
  CorruptStateError,
  StateConflictError,
  StateStoreClosedError,
  assertJsonSafeState,
  type DeleteStateOptions,
  type SetStateOptions,
  type StateStore,
  type StoredState,
} from '@agentopera/state';
import { isWrongLastSequence } from '../jetstream-errors.js';
import { encodeToken } from '../subject-codec.js';

export interface NatsKvStateStoreOptions {
  /** The KV bucket (`[A-Za-z0-9_-]+`); created when missing. Default `'agentopera_state'`. */
  readonly bucket?: string;
  /** Replicas of the bucket on a clustered JetStream (1, 3 or 5). Default 1. */
  readonly replicas?: number;
  /** Largest state entry in bytes (the server's `max_payload` bounds it too). Default: the server's. */
  readonly maxValueSize?: number;
}

const ENCODER = new TextEncoder();

/**
 * `StateStore` on a JetStream KV bucket. Versions are KV revisions (the bucket stream's sequence
 * numbers) as strings, so a version is never reused, even after a delete. `expectedVersion: null`
 * is `kv.create`, a string is `kv.update(rev)`: the server itself checks the revision, so two
 * processes racing on one agent cannot both win.
 *
 * Each agent id maps to the key `<type token>.<key token>` (see `encodeToken`): distinct ids get
 * distinct keys whatever their characters. The entry holds the id beside the state, so a read
 * also proves it found its own entry.
 */
export class NatsKvStateStore implements StateStore {
  private closed = false;

  private constructor(
    private readonly kv: KV,
    readonly bucket: string,
  ) {}

  /** Opens (creating if needed) the bucket on an existing connection, which the store does not close. */
  static async open(connection: NatsConnection, options: NatsKvStateStoreOptions = {}): Promise<NatsKvStateStore> {
    const bucket = options.bucket ?? 'agentopera_state';
    if (!/^[A-Za-z0-9_-]+$/.test(bucket)) {
      throw new TypeError(`Invalid KV bucket name ${describeValue(bucket)}: use letters, digits, '_' and '-'`);
    }
    const kv = await new Kvm(connection).create(bucket, {
      history: 1,
      replicas: options.replicas ?? 1,
      ...(options.maxValueSize === undefined ? {} : { maxValueSize: options.maxValueSize }),
    });
    return new NatsKvStateStore(kv, bucket);
  }

  /** The KV key of an agent's entry. */
  static keyOf(id: AgentId): string {
    return `${encodeToken(id.type)}.${encodeToken(id.key)}`;
  }

  async get(id: AgentId): Promise<StoredState | undefined> {
    this.checkOpen();
    const entry = await this.kv.get(NatsKvStateStore.keyOf(checkId(id)));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    return { state: decode(id, entry), version: String(entry.revision) };
  }

  async set(id: AgentId, state: AgentState, options: SetStateOptions = {}): Promise<string> {
    this.checkOpen();
    const key = NatsKvStateStore.keyOf(checkId(id));
    assertJsonSafeState(id, state);
    const body = ENCODER.encode(JSON.stringify({ id: idString(id), state }));
    const expected = checkExpected(id, options?.expectedVersion, true);
    try {
      if (expected === undefined) return String(await this.kv.put(key, body));
      if (expected === null) return String(await this.kv.create(key, body));
      const revision = parseRevision(expected);
      if (revision === undefined) throw await this.conflict(id, expected);
      return String(await this.kv.update(key, body, revision));
    } catch (error) {
      if (isWrongLastSequence(error)) throw await this.conflict(id, expected ?? null);
      throw error;
    }
  }

  async delete(id: AgentId, options: DeleteStateOptions = {}): Promise<boolean> {
    this.checkOpen();
    const key = NatsKvStateStore.keyOf(checkId(id));
    const expected = checkExpected(id, options?.expectedVersion, false) ?? undefined;
    const current = await this.get(id);
    if (expected === undefined) {
      if (current === undefined) return false;
      await this.kv.delete(key);
      return true;
    }
    const revision = parseRevision(expected);
    if (current === undefined || revision === undefined || current.version !== expected) {
      throw new StateConflictError(id, expected, current?.version ?? null);
    }
    try {
      await this.kv.delete(key, { previousSeq: revision });
    } catch (error) {
      if (isWrongLastSequence(error)) throw await this.conflict(id, expected);
      throw error;
    }
    return true;
  }

  /** Later calls reject; the connection belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new StateStoreClosedError(`This NatsKvStateStore (bucket ${this.bucket}) is closed`);
  }

  private async conflict(id: AgentId, expected: string | null): Promise<StateConflictError> {
    return new StateConflictError(id, expected, (await this.get(id))?.version ?? null);
  }
}

/** Stores sit at a boundary (plain JavaScript callers): check what the types promise. */
function checkId(id: AgentId): AgentId {
  const { type, key } = (id ?? {}) as { type?: unknown; key?: unknown };
  try {
    validateAgentType(type);
  } catch {
    throw new TypeError(`Expected an AgentId, got ${describeValue(id)}`);
  }
  if (typeof key !== 'string') throw new TypeError(`Expected an AgentId, got ${describeValue(id)}`);
  return id;
}

function idString(id: AgentId): string {
  return `${id.type}/${id.key}`;
}

function checkExpected(id: AgentId, expected: unknown, nullAllowed: boolean): string | null | undefined {
  if (expected === undefined || typeof expected === 'string' || (nullAllowed && expected === null)) return expected;
  throw new TypeError(`Invalid expectedVersion for ${idString(id)}: ${describeValue(expected)}`);
}

function decode(id: AgentId, entry: KvEntry): AgentState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.string());
  } catch (error) {
    throw new CorruptStateError(`The stored state of ${idString(id)} (KV key ${entry.key}) is not JSON`, { cause: error });
  }
  const record = parsed as { id?: unknown; state?: unknown } | null;
  if (record === null || typeof record !== 'object' || record.id !== idString(id)) {
    throw new CorruptStateError(`The KV entry ${entry.key} does not hold the state of ${idString(id)} (it names ${describeValue(record?.id)})`);
  }
  if (record.state === null || typeof record.state !== 'object' || Array.isArray(record.state)) {
    throw new CorruptStateError(`The stored state of ${idString(id)} is not an object`);
  }
  return record.state as AgentState;
}

/** A version this store issued: a positive decimal revision. Anything else can match no entry. */
function parseRevision(version: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(version)) return undefined;
  return Number(version);
}
