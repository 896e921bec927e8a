import type { Agent, AgentState } from './agent.js';
import type { AgentId } from './agent-id.js';
import type { AgentMetadata } from './agent-metadata.js';
import type { AgentType } from './agent-type.js';
import type { CancellationToken } from './cancellation-token.js';
import type { MessageChannel } from './message-channel.js';
import type { InferResponse, SendableMessage, SendMessageResult } from './response-type.js';
import type { Subscription } from './subscription.js';

/** Options of `sendMessage` and `publishMessage`. */
export interface SendOptions {
  /** The sending agent; `BaseAgent` fills it in. `null`/omitted means "from outside any agent". */
  sender?: AgentId | null;
  cancellationToken?: CancellationToken;
  /**
   * Aborting it acts as cancelling the token: the call rejects with `CancelledError` whose `cause`
   * is `signal.reason`, so `{ signal: AbortSignal.timeout(5000) }` is a deadline.
   */
  signal?: AbortSignal;
  /** A caller-chosen id; otherwise the engine assigns one (read through `MessageContext.messageId`). */
  messageId?: string;
}

/** Builds an agent. Takes no arguments: it reads `AgentInstantiationContext` instead. */
export type AgentBuilder<T extends Agent = Agent> = () => T | Promise<T>;

/** A class (constructor) whose instances are `T`; used for `expectedClass` checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructors of any arity
export type AgentClass<T extends Agent = Agent> = abstract new (...args: any[]) => T;

/** How an agent type's instances take their messages. */
export type AgentConcurrency = 'concurrent' | 'serial';

/** When an agent's state goes to the engine's state store. */
export type AgentPersistence = 'none' | 'deactivate' | 'turn';

/** An agent type's lifecycle: turns, idle deactivation and persistence. */
export interface AgentLifecycleOptions {
  /**
   * `'concurrent'` (default): each message in its own task, so handlers of one agent may overlap.
   * `'serial'`: one handler at a time, in queue order (a turn); a call that comes back to the agent
   * from inside its own running turn (A→B→A) runs at once instead of deadlocking.
   */
  concurrency?: AgentConcurrency;
  /** Deactivate an agent (save its state, close it, drop it) after this long without messages. */
  idleTimeoutMs?: number;
  /**
   * `'deactivate'` (the default when the engine has a state store): saved on deactivation, `close()`
   * and `stop*()`. `'turn'`: also after every handled message, before its caller hears the result.
   * `'none'`: never saved nor loaded.
   */
  persistence?: AgentPersistence;
}

export interface RegisterAgentBuilderOptions<T extends Agent = Agent> extends AgentLifecycleOptions {
  /** The builder must return an instance of exactly this class, or the message fails. */
  expectedClass?: AgentClass<T>;
}

export interface GetAgentOptions {
  /** `false` builds the agent now instead of on its first message. Default `true`. */
  lazy?: boolean;
}

/** Saved state of a whole engine: each instantiated agent's state keyed by `agentId.toString()`. */
export type EngineState = Record<string, AgentState>;

/** What agents and applications need from an engine; `LocalAgentEngine` is one implementation. */
export interface AgentEngine {
  /**
   * Sends `message` to `recipient` and resolves with the handler's return value. Its type is the
   * one the message declares under `[ResponseType]` (`unknown` if none), or `R` when given; a
   * message declaring another type than the `R` given does not compile.
   */
  sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options?: SendOptions,
  ): Promise<SendMessageResult<R, M>>;
  /** Publishes `message` on `channel`; resolves once it is accepted for delivery. */
  publishMessage(message: unknown, channel: MessageChannel, options?: SendOptions): Promise<void>;
  registerAgentBuilder<T extends Agent>(
    type: string | AgentType,
    builder: AgentBuilder<T>,
    options?: RegisterAgentBuilderOptions<T>,
  ): Promise<AgentType>;
  registerAgentInstance(agent: Agent, agentId: AgentId): Promise<AgentId>;
  get(idOrType: AgentId | AgentType | string, key?: string, options?: GetAgentOptions): Promise<AgentId>;
  tryGetUnderlyingAgentInstance<T extends Agent = Agent>(id: AgentId, expectedClass?: AgentClass<T>): Promise<T>;
  agentMetadata(id: AgentId): Promise<AgentMetadata>;
  agentSaveState(id: AgentId): Promise<AgentState>;
  agentLoadState(id: AgentId, state: AgentState): Promise<void>;
  saveState(): Promise<EngineState>;
  loadState(state: EngineState): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  unsubscribe(id: string): Promise<void>;
}
