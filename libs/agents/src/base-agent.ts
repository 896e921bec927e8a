import {
  AgentId,
  AgentInstantiationContext,
  AgentType,
  describeValue,
  markNoOpLifecycle,
  type Agent,
  type AgentClass,
  type AgentEngine,
  type AgentLifecycleOptions,
  type AgentMetadata,
  type AgentState,
  type MessageChannel,
  type MessageContext,
  type InferResponse,
  type SendableMessage,
  type SendMessageResult,
  type SendOptions,
} from '@agentopera/types';
import { AgentBindingError } from './errors.js';
import { registerSubscriptions, registerSubscriptionsOnce } from './register-subscriptions.js';

/** Options of `BaseAgent.sendMessage` / `publishMessage`: the sender is always the agent itself. */
export type AgentSendOptions = Omit<SendOptions, 'sender'>;

/**
 * Options of `BaseAgent.register` and `BaseAgent.registerInstance`; `register` also takes the
 * type's lifecycle (`concurrency`, `idleTimeoutMs`, `persistence`), as `registerAgentBuilder` does.
 */
export interface RegisterOptions extends AgentLifecycleOptions {
  /** Do not add the subscriptions of the class decorators (`@defaultSubscription()`, ...). */
  skipClassSubscriptions?: boolean;
  /** Do not add the `TypePrefixSubscription(type + ":", type)` that routes direct messages. */
  skipDirectMessageSubscription?: boolean;
}

/**
 * Base class of agents. Built by an agent builder, it reads its id and engine from
 * `AgentInstantiationContext`; built outside one, it stays unbound until the engine's
 * `registerAgentInstance` calls `bindIdAndEngine`. Subclasses implement `onMessageImpl`.
 */
export abstract class BaseAgent implements Agent {
  readonly description: string;
  #id: AgentId | undefined;
  #engine: AgentEngine | undefined;

  constructor(description: string) {
    if (typeof description !== 'string') {
      throw new TypeError(`Agent description must be a string, got ${describeValue(description)}`);
    }
    this.description = description;
    if (AgentInstantiationContext.isInFactoryCall()) {
      this.#id = AgentInstantiationContext.currentAgentId();
      this.#engine = AgentInstantiationContext.currentEngine();
    }
  }

  get id(): AgentId {
    return this.#id ?? this.unbound('id');
  }

  get engine(): AgentEngine {
    return this.#engine ?? this.unbound('engine');
  }

  get type(): string {
    return this.id.type;
  }

  get metadata(): AgentMetadata {
    const { type, key } = this.id;
    return { type, key, description: this.description };
  }

  /** Binds a pre-built agent; binding again to the same id and engine is a no-op. */
  bindIdAndEngine(id: AgentId, engine: AgentEngine): void {
    if (this.#id === undefined || this.#engine === undefined) {
      this.#id = id;
      this.#engine = engine;
      return;
    }
    if (!this.#id.equals(id)) {
      throw new AgentBindingError(
        `Agent ${this.#id.toString()} is already bound; it cannot be bound again as ${describeValue(id?.toString())}`,
      );
    }
    if (this.#engine !== engine) {
      throw new AgentBindingError(`Agent ${this.#id.toString()} is already bound to another engine; it cannot be bound to a second one`);
    }
  }

  /** Called by the engine for each message; kept thin because it is on the hot path. */
  onMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    return this.onMessageImpl(message, ctx);
  }

  /** Handles one message; the resolved value is the RPC result (ignored for published messages). */
  protected abstract onMessageImpl(message: unknown, ctx: MessageContext): Promise<unknown>;

  /** Sends `message` to `recipient` with this agent as sender; resolves with the handler's result. */
  sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options?: AgentSendOptions,
  ): Promise<SendMessageResult<R, M>> {
    return this.engine.sendMessage<R, M>(message, recipient, { ...options, sender: this.id });
  }

  /** Publishes `message` on `channel` with this agent as sender (it is not delivered back to it). */
  publishMessage(message: unknown, channel: MessageChannel, options?: AgentSendOptions): Promise<void> {
    return this.engine.publishMessage(message, channel, { ...options, sender: this.id });
  }

  async saveState(): Promise<AgentState> {
    return {};
  }

  async loadState(_state: AgentState): Promise<void> {}

  async close(): Promise<void> {}

  /**
   * Registers `builder` for `type` with `expectedClass` = this class, then adds the class's
   * decorator subscriptions and the direct-message subscription (unless skipped).
   */
  static async register<T extends BaseAgent>(
    this: AgentClass<T>,
    engine: AgentEngine,
    type: string,
    builder: () => T | Promise<T>,
    options: RegisterOptions = {},
  ): Promise<AgentType> {
    const { concurrency, idleTimeoutMs, persistence } = options;
    const agentType = await engine.registerAgentBuilder(type, builder, { expectedClass: this, concurrency, idleTimeoutMs, persistence });
    await registerSubscriptions(engine, agentType, this, options);
    return agentType;
  }

  /**
   * Registers a pre-built `agent` as `agentId` and adds its class's subscriptions for
   * `agentId.type`. Several instances may share a type: its subscriptions are added only once.
   */
  static async registerInstance(
    engine: AgentEngine,
    agent: BaseAgent,
    agentId: AgentId,
    options: RegisterOptions = {},
  ): Promise<AgentId> {
    const registeredId = await engine.registerAgentInstance(agent, agentId);
    await registerSubscriptionsOnce(engine, new AgentType(registeredId.type), agent.constructor, options);
    return registeredId;
  }

  private unbound(property: string): never {
    throw new AgentBindingError(
      `${this.constructor.name} (${describeValue(this.description)}) has no ${property} yet: it is bound when built ` +
        'by an agent builder (register / registerAgentBuilder) or when passed to registerAgentInstance',
    );
  }
}

// The defaults do nothing (saveState: `{}`), and say so: an engine may skip calling them.
markNoOpLifecycle(BaseAgent.prototype.saveState);
markNoOpLifecycle(BaseAgent.prototype.loadState);
markNoOpLifecycle(BaseAgent.prototype.close);
