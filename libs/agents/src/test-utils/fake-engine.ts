import { randomUUID } from 'node:crypto';
import {
  AgentId,
  AgentInstantiationContext,
  AgentNotFoundError,
  AgentType,
  CancellationToken,
  MessageHandlerContext,
  NotHandled,
  type Agent,
  type AgentBuilder,
  type AgentClass,
  type AgentEngine,
  type AgentMetadata,
  type AgentState,
  type EngineState,
  type InferResponse,
  type MessageChannel,
  type MessageContext,
  type RegisterAgentBuilderOptions,
  type SendableMessage,
  type SendMessageResult,
  type SendOptions,
  type Subscription,
} from '@agentopera/types';

/**
 * A minimal in-memory `AgentEngine` for tests: no queue, messages are delivered at once. It uses
 * only the public `Agent` interface, which is what proves agents work on any engine.
 */
export class FakeEngine implements AgentEngine {
  readonly builders = new Map<string, { builder: AgentBuilder; options: RegisterAgentBuilderOptions }>();
  readonly agents = new Map<string, Agent>();
  readonly subscriptions: Subscription[] = [];
  /** Published messages an agent resolved to `NotHandled` for. */
  readonly unhandled: { message: unknown; recipient: AgentId }[] = [];

  async registerAgentBuilder<T extends Agent>(
    type: string | AgentType,
    builder: AgentBuilder<T>,
    options: RegisterAgentBuilderOptions<T> = {},
  ): Promise<AgentType> {
    const agentType = typeof type === 'string' ? new AgentType(type) : type;
    if (this.builders.has(agentType.type)) throw new Error(`type ${agentType.type} already registered`);
    this.builders.set(agentType.type, { builder, options: options as RegisterAgentBuilderOptions });
    return agentType;
  }

  async registerAgentInstance(agent: Agent, agentId: AgentId): Promise<AgentId> {
    if (this.agents.has(agentId.toString())) throw new Error(`agent ${agentId.toString()} already registered`);
    await agent.bindIdAndEngine(agentId, this);
    this.agents.set(agentId.toString(), agent);
    return agentId;
  }

  async get(idOrType: AgentId | AgentType | string, key = 'default'): Promise<AgentId> {
    return idOrType instanceof AgentId ? idOrType : new AgentId(idOrType, key);
  }

  async tryGetUnderlyingAgentInstance<T extends Agent = Agent>(id: AgentId, expectedClass?: AgentClass<T>): Promise<T> {
    const agent = await this.agent(id);
    if (expectedClass && !(agent instanceof expectedClass)) throw new Error(`${id.toString()} has the wrong class`);
    return agent as T;
  }

  async agentMetadata(id: AgentId): Promise<AgentMetadata> {
    return (await this.agent(id)).metadata;
  }

  async agentSaveState(id: AgentId): Promise<AgentState> {
    return (await this.agent(id)).saveState();
  }

  async agentLoadState(id: AgentId, state: AgentState): Promise<void> {
    return (await this.agent(id)).loadState(state);
  }

  async saveState(): Promise<EngineState> {
    const state: EngineState = {};
    for (const [id, agent] of this.agents) state[id] = await agent.saveState();
    return state;
  }

  async loadState(state: EngineState): Promise<void> {
    for (const [id, agentState] of Object.entries(state)) await this.agentLoadState(AgentId.fromStr(id), agentState);
  }

  async subscribe(subscription: Subscription): Promise<void> {
    if (this.subscriptions.some((existing) => existing.equals(subscription))) {
      throw new Error(`duplicate subscription ${subscription.id}`);
    }
    this.subscriptions.push(subscription);
  }

  async unsubscribe(id: string): Promise<void> {
    const index = this.subscriptions.findIndex((subscription) => subscription.id === id);
    if (index < 0) throw new Error(`unknown subscription ${id}`);
    this.subscriptions.splice(index, 1);
  }

  async sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options: SendOptions = {},
  ): Promise<SendMessageResult<R, M>> {
    return (await this.deliver(message, recipient, options, null, true)) as SendMessageResult<R, M>;
  }

  /** Delivers to every subscribed agent except the sender, and resolves once all handlers finish. */
  async publishMessage(message: unknown, channel: MessageChannel, options: SendOptions = {}): Promise<void> {
    const recipients = new Map<string, AgentId>();
    for (const subscription of this.subscriptions) {
      if (!subscription.isMatch(channel)) continue;
      const id = subscription.mapToAgent(channel);
      if (!options.sender?.equals(id)) recipients.set(id.toString(), id);
    }
    for (const id of recipients.values()) {
      // What the engine does with NotHandled: it reports the message instead of ignoring it.
      if ((await this.deliver(message, id, options, channel, false)) === NotHandled) this.unhandled.push({ message, recipient: id });
    }
  }

  private async deliver(
    message: unknown,
    recipient: AgentId,
    options: SendOptions,
    messageChannel: MessageChannel | null,
    isRpc: boolean,
  ): Promise<unknown> {
    const agent = await this.agent(recipient);
    const ctx: MessageContext = {
      sender: options.sender ?? null,
      messageChannel,
      isRpc,
      cancellationToken: options.cancellationToken ?? new CancellationToken(),
      messageId: options.messageId ?? randomUUID(),
    };
    return MessageHandlerContext.populateContext(recipient, () => agent.onMessage(message, ctx));
  }

  private async agent(id: AgentId): Promise<Agent> {
    const existing = this.agents.get(id.toString());
    if (existing) return existing;
    const registration = this.builders.get(id.type);
    if (!registration) throw new AgentNotFoundError(`no agent type ${id.type}`);
    const agent = await AgentInstantiationContext.populateContext(this, id, registration.builder);
    const expected = registration.options.expectedClass;
    if (expected && agent.constructor !== expected) throw new Error(`builder of ${id.type} built the wrong class`);
    this.agents.set(id.toString(), agent);
    return agent;
  }
}
