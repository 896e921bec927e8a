import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SerializationRegistry } from '@agentopera/serialization';
import type { StateStore } from '@agentopera/state';
import type { SubscriptionManager } from '@agentopera/subscriptions';
import type { EventLogger } from '@agentopera/telemetry';
import type { InterventionHandler } from '@agentopera/engine';
import { describeValue } from '@agentopera/types';
import type { TracerProvider } from '@opentelemetry/api';
import type { ClusterTimings } from '../cluster/cluster-node.js';

/** Options of `NatsAgentEngine.connect`. */
export interface NatsAgentEngineOptions {
  /** Server URL(s) to connect to; the engine then owns the connection and closes it on `close()`. */
  servers?: string | string[];
  /**
   * The rest of nats.js's connection options (credentials, nkeys, tokens, `tls`, …), used with
   * `servers`. Reconnection is on by default and never gives up (`maxReconnectAttempts: -1`).
   */
  connectionOptions?: Omit<NodeConnectionOptions, 'servers'>;
  /** An existing connection instead of `servers`; it stays open on `close()`. */
  connection?: NatsConnection;
  /** Processes that connect with the same name form one cluster. Default `'agentopera'`. */
  cluster?: string;
  /**
   * Partitions per agent type, the unit a process owns (fixed for the life of a cluster: changing
   * it moves agents to other subjects). Default 16.
   */
  partitions?: number;
  /** Default: a `NatsKvStateStore` in the cluster's bucket `ao_<cluster>_state`. */
  stateStore?: StateStore;
  /** How long a `sendMessage` waits for its answer unless its signal says otherwise. Default 30 000 ms. */
  rpcTimeoutMs?: number;
  /** Lease, heartbeat and redelivery timings; every process of a cluster should use the same. */
  timings?: ClusterTimings;
  /** Replicas of the cluster's streams and buckets on a clustered JetStream (1, 3 or 5). Default 1. */
  replicas?: number;
  /** Name of this process in diagnostics (its heartbeat and the ids of its subjects). */
  processName?: string;
  // The component options of LocalAgentEngine.
  tracerProvider?: TracerProvider;
  ignoreUnhandledExceptions?: boolean;
  interventionHandlers?: readonly InterventionHandler[];
  subscriptionManager?: SubscriptionManager;
  serializationRegistry?: SerializationRegistry;
  eventLogger?: EventLogger;
  maxActiveAgents?: number;
  stateStoreTimeoutMs?: number;
}

export interface ParsedNatsOptions {
  readonly cluster: string;
  readonly partitions: number;
  readonly rpcTimeoutMs: number;
}

/** Checks the options that have no default elsewhere; each bad value is one clear error. */
export function parseNatsOptions(options: NatsAgentEngineOptions): ParsedNatsOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`NatsAgentEngine options must be an object, got ${describeValue(options)}`);
  if (options.connection === undefined && options.servers === undefined) {
    throw new TypeError('NatsAgentEngine.connect needs `servers` (e.g. "nats://127.0.0.1:4222") or an existing `connection`');
  }
  if (options.connection !== undefined && options.servers !== undefined) {
    throw new TypeError('NatsAgentEngine.connect takes `servers` or `connection`, not both');
  }
  const { cluster = 'agentopera', partitions = 16, rpcTimeoutMs = 30_000 } = options;
  if (!(Number.isSafeInteger(partitions) && partitions >= 1 && partitions <= 1024)) {
    throw new RangeError(`partitions must be an integer from 1 to 1024, got ${describeValue(partitions)}`);
  }
  if (!(typeof rpcTimeoutMs === 'number' && rpcTimeoutMs > 0 && rpcTimeoutMs <= 2_147_483_647)) {
    throw new RangeError(`rpcTimeoutMs must be a positive number of milliseconds, got ${describeValue(rpcTimeoutMs)}`);
  }
  for (const [name, value] of Object.entries(options.timings ?? {})) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new RangeError(`timings.${name} must be a positive number, got ${describeValue(value)}`);
    }
  }
  return { cluster, partitions, rpcTimeoutMs };
}
