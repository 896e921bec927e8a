import type {
  AgentEngine,
  AgentId,
  AgentType,
  InferResponse,
  MessageChannel,
  MessageContext,
  SendableMessage,
  SendMessageResult,
} from '@agentopera/types';
import { BaseAgent, type AgentSendOptions, type RegisterOptions } from './base-agent.js';
import { instantiateSubscriptions, type SubscriptionFactory } from './subscription-factory.js';

/** What a closure sees of the agent running it. */
export interface ClosureContext {
  readonly id: AgentId;
  sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options?: AgentSendOptions,
  ): Promise<SendMessageResult<R, M>>;
  publishMessage(message: unknown, channel: MessageChannel, options?: AgentSendOptions): Promise<void>;
}

/** The body of a `ClosureAgent`: handles every message; its result is the RPC response. */
export type Closure = (agent: ClosureContext, message: unknown, ctx: MessageContext) => unknown;

export interface ClosureAgentOptions extends RegisterOptions {
  /** Subscriptions of the type; run inside `SubscriptionInstantiationContext` for that type. */
  subscriptions?: SubscriptionFactory;
  description?: string;
}

/** An agent made from a function, for small reactive pieces such as collecting results. */
export class ClosureAgent extends BaseAgent implements ClosureContext {
  readonly #closure: Closure;

  constructor(description: string, closure: Closure) {
    super(description);
    if (typeof closure !== 'function') {
      throw new TypeError(`ClosureAgent expects a function (agent, message, ctx) => result, got ${typeof closure}`);
    }
    this.#closure = closure;
  }

  protected override async onMessageImpl(message: unknown, ctx: MessageContext): Promise<unknown> {
    return this.#closure(this, message, ctx);
  }

  /**
   * Registers agent type `type` whose instances run `closure`, plus the subscriptions from
   * `options.subscriptions` and the direct-message subscription.
   */
  static override async register(
    engine: AgentEngine,
    type: string,
    closure: Closure,
    options: ClosureAgentOptions = {},
  ): Promise<AgentType> {
    const { subscriptions, description = '', ...registerOptions } = options;
    const agentType = await super.register(engine, type, () => new ClosureAgent(description, closure), registerOptions);
    if (subscriptions !== undefined) {
      for (const subscription of await instantiateSubscriptions(agentType, [subscriptions])) {
        await engine.subscribe(subscription);
      }
    }
    return agentType;
  }
}
