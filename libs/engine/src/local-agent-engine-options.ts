import type { MessageQueue } from '@agentopera/queue';
import type { SerializationRegistry } from '@agentopera/serialization';
import type { StateStore } from '@agentopera/state';
import type { SubscriptionManager } from '@agentopera/subscriptions';
import type { EventLogger } from '@agentopera/telemetry';
import type { TracerProvider } from '@opentelemetry/api';
import type { MessageEnvelope } from './envelopes.js';
import type { InterventionHandler } from './intervention-handler.js';

/** A queue, or a factory that makes a fresh one for each run (a stopped queue cannot be reused). */
export type QueueOption = MessageQueue<MessageEnvelope> | (() => MessageQueue<MessageEnvelope>);

/** Options of `LocalAgentEngine`. Every component takes any implementation of its interface. */
export interface LocalAgentEngineOptions {
  /** Default: a fresh unbounded `AsyncQueue` per run. Pass a factory to allow restarts. */
  queue?: QueueOption;
  /** Default: OpenTelemetry's global provider (a no-op until the application registers one). */
  tracerProvider?: TracerProvider;
  /**
   * `true` (default): errors thrown by handlers of published messages are only logged as events.
   * `false`: the first one is re-thrown by the next `processNext()` or awaited `stop*()`.
   * RPC handler errors always reject the caller.
   */
  ignoreUnhandledExceptions?: boolean;
  interventionHandlers?: readonly InterventionHandler[];
  subscriptionManager?: SubscriptionManager;
  serializationRegistry?: SerializationRegistry;
  /**
   * Receives structured events; payloads are serialized only while `isEnabled()` is true.
   * Default: none, in which case failures nobody else would hear of (handlers of published
   * messages, while `ignoreUnhandledExceptions` is on) are written to stderr, one line each.
   * Pass `new NoopEventLogger()` to silence them.
   */
  eventLogger?: EventLogger;
  /**
   * Where agent state is kept between activations (and across restarts, for a durable store).
   * With a store, each type's state is loaded on activation and saved as its `persistence` says.
   */
  stateStore?: StateStore;
  /**
   * Live agents beyond this many make the engine deactivate the least recently used idle one
   * before it activates another. Needs a `stateStore`, or `persistence: 'none'` on every type.
   */
  maxActiveAgents?: number;
  /** How long a state store call may take before it fails with `StateStoreTimeoutError`. Default 30 000. */
  stateStoreTimeoutMs?: number;
  /**
   * A serial agent's turn that keeps messages for the same agent waiting longer than this emits a
   * `TurnBlockedEvent` and one warning line (once per blocked turn): often a serial handler awaiting
   * replies its own agent must handle (see `interleave`). Default 5000; 0 or `Infinity` turns it off.
   */
  turnBlockedWarningMs?: number;
}
