import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { AgentId, AgentOperaError, describeValue, type AgentState } from '@agentopera/types';
import { isWrongLastSequence } from '../jetstream-errors.js';
import { encodeToken } from '../subject-codec.js';
import { StateConflictError, type StateStore, type StoredState } from './state-contract.js';

export interface NatsKvStateStoreOptions {
  /** The KV bucket (`[A-Za-z0-9_-]+`); created when missing. Default `'agentopera_state'`. */
  readonly bucket?: string;
  /** Replicas of the bucket on a clustered JetStream (1, 3 or 5). Default 1. */
  readonly replicas?: number;
  /** Largest state entry in bytes (the server's `max_payload` bounds it too). Default: the server's. */
  readonly maxValueSize?: number;
}

/** A stored entry could not be read back: not our JSON, or another id's entry (a hash collision). */
export class StateEntryError extends AgentOperaError {
  override readonly name = 'StateEntryError';
  readonly code = 'STATE_ENTRY_INVALID';
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
    const entry = await this.kv.get(NatsKvStateStore.keyOf(checkId(id)));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    return { state: decode(id, entry), version: String(entry.revision) };
  }

  async set(id: AgentId, state: AgentState, options: { expectedVersion?: string | null } = {}): Promise<string> {
    const key = NatsKvStateStore.keyOf(checkId(id));
    const body = encode(id, state);
    const expected = options.expectedVersion;
    try {
      if (expected === undefined) return String(await this.kv.put(key, body));
      if (expected === null) return String(await this.kv.create(key, body));
      const revision = parseRevision(expected);
      if (revision === undefined) throw await this.conflict(id, expected);
      return String(await this.kv.update(key, body, revision));
    } catch (error) {
      if (isWrongLastSequence(error)) throw await this.conflict(id, expected);
      throw error;
    }
  }

  async delete(id: AgentId, options: { expectedVersion?: string } = {}): Promise<boolean> {
    const key = NatsKvStateStore.keyOf(checkId(id));
    const expected = options.expectedVersion;
    const current = await this.get(id);
    if (expected === undefined) {
      if (current === undefined) return false;
      await this.kv.delete(key);
      return true;
    }
    const revision = parseRevision(expected);
    if (current === undefined || revision === undefined || current.version !== expected) {
      throw new StateConflictError(id, expected, current?.version);
    }
    try {
      await this.kv.delete(key, { previousSeq: revision });
    } catch (error) {
      if (isWrongLastSequence(error)) throw await this.conflict(id, expected);
      throw error;
    }
    return true;
  }

  /** Nothing to release: the connection belongs to the caller. */
  async close(): Promise<void> {}

  private async conflict(id: AgentId, expected: string | null | undefined): Promise<StateConflictError> {
    return new StateConflictError(id, expected, (await this.get(id))?.version);
  }
}

function checkId(id: AgentId): AgentId {
  if (!(id instanceof AgentId)) throw new TypeError(`Expected an AgentId, got ${describeValue(id)}`);
  return id;
}

function encode(id: AgentId, state: AgentState): Uint8Array {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new TypeError(`The state of ${id} must be a plain object, got ${describeValue(state)}`);
  }
  return ENCODER.encode(JSON.stringify({ id: id.toString(), state }));
}

function decode(id: AgentId, entry: KvEntry): AgentState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.string());
  } catch (error) {
    throw new StateEntryError(`The stored state of ${id} (KV key ${entry.key}) is not JSON`, { cause: error });
  }
  const record = parsed as { id?: unknown; state?: unknown };
  if (record === null || typeof record !== 'object' || record.id !== id.toString()) {
    throw new StateEntryError(`The KV entry ${entry.key} does not hold the state of ${id} (it names ${describeValue(record?.id)})`);
  }
  if (record.state === null || typeof record.state !== 'object' || Array.isArray(record.state)) {
    throw new StateEntryError(`The stored state of ${id} is not an object`);
  }
  return record.state as AgentState;
}

/** A version this store issued: a positive decimal revision. Anything else can match no entry. */
function parseRevision(version: string): number | undefined {
  if (typeof version !== 'string' || !/^[1-9]\d{0,15}$/.test(version)) return undefined;
  return Number(version);
}
