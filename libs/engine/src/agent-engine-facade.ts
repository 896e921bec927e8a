import type { MessageSerializer, SerializationRegistry } from '@agentopera/serialization';
import {
  AgentId,
  AgentType,
  EngineStateError,
  InvalidStateError,
  describeValue,
  type Agent,
  type AgentBuilder,
  type AgentClass,
  type AgentEngine,
  type AgentMetadata,
  type AgentNotFoundError,
  type AgentState,
  type EngineState,
  type GetAgentOptions,
  type InferResponse,
  type MessageChannel,
  type RegisterAgentBuilderOptions,
  type SendableMessage,
  type SendMessageResult,
  type SendOptions,
  type StopOptions,
  type Subscription,
} from '@agentopera/types';
import type { AgentDirectory } from './agent-directory.js';
import { isPlainObject, parseEngineState } from './engine-state.js';

/**
 * The `AgentEngine` surface every engine shares, written once over an `AgentDirectory`:
 * registration, `get`, reaching agent instances and their state, `saveState`/`loadState`,
 * `deactivate`, `stopWhen` and serializers. An engine (the local one, the NATS one) extends it and
 * supplies how messages travel (`deliver`, `publishMessage`), where agent types are known
 * (`typeIsKnown`), which agents live in this process (`hostsHere`) and its lifecycle.
 */
export abstract class AgentEngineFacade implements AgentEngine {
  /** The agents of this process: registrations, activations, state. */
  protected abstract readonly directory: AgentDirectory;
  protected abstract readonly serializationRegistry: SerializationRegistry;

  /** Carries a send whose arguments the engine checks itself; resolves with the handler's value. */
  protected abstract deliver(message: unknown, recipient: AgentId, options: SendOptions | undefined): Promise<unknown>;
  /** Whether some process of the engine registered `id`'s type (instances: that id). */
  protected abstract typeIsKnown(id: AgentId): boolean | Promise<boolean>;
  /** The error for an id whose type nobody registered, naming the types that are. */
  protected abstract agentNotFound(id: AgentId): AgentNotFoundError | Promise<AgentNotFoundError>;
  /** Whether the agent `id` (of a known type) lives in this process now. */
  protected abstract hostsHere(id: AgentId): boolean;
  /** The run `stopWhen` watches: a value that changes (or becomes `undefined`) when the engine stops. */
  protected abstract get currentRun(): object | undefined;

  abstract publishMessage(message: unknown, channel: MessageChannel, options?: SendOptions): Promise<void>;
  abstract subscribe(subscription: Subscription): Promise<void>;
  abstract unsubscribe(id: string): Promise<void>;
  abstract stop(options?: StopOptions): Promise<void>;
  /**
   * Cancels the token of every handler running in this process with `reason` (made now for one that
   * has not read it yet); a waiting caller is answered with `CancelledError` at once, since the
   * handler may never end. What `stop({ signal })` / `close({ signal })` do on abort.
   */
  protected abstract cancelRunning(reason: unknown): void;

  /** The `signal` of `stop()`/`close()` options, checked. */
  protected stopSignal(options: StopOptions, method: 'stop' | 'close'): AbortSignal | undefined {
    if (options === null || typeof options !== 'object') throw new TypeError(`${method}() options must be an object, got ${describeValue(options)}`);
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${method}() signal must be an AbortSignal, got ${describeValue(signal)}`);
    return signal;
  }

  /** Calls `cancelRunning` when `signal` aborts (now, if it has); returns the detach. */
  protected cancelRunningOnAbort(signal: AbortSignal | undefined): () => void {
    if (signal === undefined) return NOTHING;
    const cancel = (): void => this.cancelRunning(signal.reason);
    if (signal.aborted) {
      cancel();
      return NOTHING;
    }
    signal.addEventListener('abort', cancel, { once: true });
    return () => signal.removeEventListener('abort', cancel);
  }

  /**
   * Sends `message` to `recipient` and resolves with the handler's return value, typed as the
   * message declares under `[ResponseType]` (or `R` when given). Rejects with the handler's error,
   * `AgentNotFoundError` for an agent type nobody registered, `CancelledError` when the call's
   * `signal` or token cancels it.
   */
  sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options?: SendOptions,
  ): Promise<SendMessageResult<R, M>> {
    return this.deliver(message, recipient, options) as Promise<SendMessageResult<R, M>>;
  }

  /** Called once a type (or an instance's id) is registered in the directory. */
  protected async registered(_type: string, _agentClass: AgentClass | undefined): Promise<void> {}

  /** The error for an agent of a known type that lives in another process. */
  protected notHostedHere(id: AgentId): Error {
    return new EngineStateError(`Agent ${id} does not live in this process now; only its host can reach the instance`);
  }

  async registerAgentBuilder<T extends Agent>(
    type: string | AgentType,
    builder: AgentBuilder<T>,
    options: RegisterAgentBuilderOptions<T> = {},
  ): Promise<AgentType> {
    const agentType = type instanceof AgentType ? type : new AgentType(type);
    this.directory.register(agentType.type, builder, options as RegisterAgentBuilderOptions<Agent>);
    await this.registered(agentType.type, options.expectedClass);
    return agentType;
  }

  async registerAgentInstance(agent: Agent, agentId: AgentId): Promise<AgentId> {
    await this.directory.registerInstance(agent, agentId);
    await this.registered(agentId.type, agent?.constructor as AgentClass | undefined);
    return agentId;
  }

  async get(idOrType: AgentId | AgentType | string, key = 'default', options: GetAgentOptions = {}): Promise<AgentId> {
    const id = idOrType instanceof AgentId ? idOrType : new AgentId(idOrType instanceof AgentType ? idOrType.type : idOrType, key);
    if (!(await this.typeIsKnown(id))) throw await this.agentNotFound(id);
    if (options.lazy === false && this.hostsHere(id)) await this.directory.activation(id);
    return id;
  }

  async tryGetUnderlyingAgentInstance<T extends Agent = Agent>(id: AgentId, expectedClass?: AgentClass<T>): Promise<T> {
    const agent = await this.knownAgent(id);
    if (expectedClass !== undefined && !(agent instanceof expectedClass)) {
      throw new TypeError(`Agent ${id} is ${describeValue(agent)}, not an instance of ${expectedClass.name}`);
    }
    return agent as T;
  }

  async agentMetadata(id: AgentId): Promise<AgentMetadata> {
    return (await this.knownAgent(id)).metadata;
  }

  async agentSaveState(id: AgentId): Promise<AgentState> {
    return (await this.knownAgent(id)).saveState();
  }

  async agentLoadState(id: AgentId, state: AgentState): Promise<void> {
    if (!isPlainObject(state)) throw new InvalidStateError(`agentLoadState(${id}) needs a plain object, got ${describeValue(state)}`);
    await (await this.knownAgent(id)).loadState(state);
  }

  /** The state of every agent live in this process, keyed by `agentId.toString()`. */
  saveState(): Promise<EngineState> {
    return this.directory.saveStates();
  }

  /**
   * Loads state saved by `saveState` into the agents that live in this process, building them as
   * needed; other entries are skipped. The whole state is validated first, so a malformed one
   * changes nothing.
   */
  async loadState(state: EngineState): Promise<void> {
    const entries = parseEngineState(state).filter(([id]) => this.hostsHere(id));
    for (const [id, agentState] of entries) await (await this.directory.activation(id)).agent.loadState(agentState);
  }

  /**
   * Deactivates the agent once it is idle: saves its state, closes it and drops it; its next
   * message builds it again and loads that state. `false` when it is not active here or was
   * registered as an instance. Rejects (and the agent stays active) when its state cannot be saved.
   */
  deactivate(id: AgentId): Promise<boolean> {
    return this.directory.deactivate(id);
  }

  /** Stops once `condition()` returns true, checking every `checkPeriodMs` milliseconds. */
  async stopWhen(condition: () => boolean, checkPeriodMs = 1000): Promise<void> {
    if (typeof condition !== 'function') throw new TypeError(`stopWhen needs a condition function, got ${describeValue(condition)}`);
    const run = this.currentRun;
    if (run === undefined) throw new EngineStateError('stopWhen() was called but the engine is not started');
    while (!condition()) {
      if (this.currentRun !== run) return; // stopped by someone else meanwhile
      await new Promise((resolve) => setTimeout(resolve, checkPeriodMs));
    }
    if (this.currentRun === run) await this.stop();
  }

  registerMsgSerializer(serializer: MessageSerializer | readonly MessageSerializer[]): void {
    this.serializationRegistry.addSerializer(serializer);
  }

  /** The instance of a known agent that lives here, built if needed. */
  protected async knownAgent(id: AgentId): Promise<Agent> {
    if (!(id instanceof AgentId)) throw new TypeError(`Expected an AgentId, got ${describeValue(id)}`);
    if (!(await this.typeIsKnown(id))) throw await this.agentNotFound(id);
    if (!this.hostsHere(id)) throw this.notHostedHere(id);
    return (await this.directory.activation(id)).agent;
  }
}

function NOTHING(): void {}
