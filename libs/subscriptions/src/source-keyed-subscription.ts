import { AgentId, describeValue, validateAgentType } from '@agentopera/types';
import type { AgentType, MessageChannel, Subscription } from '@agentopera/types';
import { SubscriptionMismatchError } from './errors.js';
import { mappingKeyOf, setMappingKey } from './mapping-key.js';

// The same rule as MessageChannel types, so a subscription can never name a type no channel has.
const TOPIC_TYPE_PATTERN = /^[\w\-.:=]+$/;

/** Which index hint a subscription sets; also names its topic field. */
export type TopicHint = 'topicType' | 'topicTypePrefix';

/**
 * Base of the subscriptions that match on the channel type and deliver to the agent of one type
 * keyed by the channel source, so that each conversation (source) gets its own agent instance.
 */
export abstract class SourceKeyedSubscription implements Subscription {
  readonly id: string;
  readonly agentType: string;
  readonly #hint: TopicHint;
  readonly #topic: string;

  protected constructor(hint: TopicHint, topic: string, agentType: string | AgentType, id: string | undefined) {
    this.#hint = hint;
    this.#topic = validateTopic(topic, hint);
    this.agentType = resolveAgentType(agentType);
    this.id = resolveSubscriptionId(id);
    setMappingKey(this, hint, topic, this.agentType);
  }

  /** The rule behind `isMatch`; `mapToAgent` checks it directly, so overriding `isMatch` is safe. */
  protected abstract matchesType(type: string): boolean;

  isMatch(channel: MessageChannel): boolean {
    return this.matchesType(channel.type);
  }

  /** The agent `agentType/channel.source`; throws `SubscriptionMismatchError` for other channels. */
  mapToAgent(channel: MessageChannel): AgentId {
    if (!this.matchesType(channel.type)) throw new SubscriptionMismatchError(this, channel);
    return new AgentId(this.agentType, channel.source);
  }

  /** Equal when they have the same id, or the same kind, topic (prefix) and agent type. */
  equals(other: Subscription): boolean {
    if (typeof other !== 'object' || other === null) return false;
    return other.id === this.id || mappingKeyOf(other) === mappingKeyOf(this);
  }

  toString(): string {
    const fields = [[this.#hint, this.#topic], ['agentType', this.agentType], ['id', this.id]];
    return `${this.constructor.name}(${fields.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ')})`;
  }
}

function validateTopic(value: unknown, hint: TopicHint): string {
  if (typeof value !== 'string' || !TOPIC_TYPE_PATTERN.test(value)) {
    throw new TypeError(
      `Invalid ${hint === 'topicType' ? 'topic type' : 'topic type prefix'} ${describeValue(value)}: ` +
        "it must be a non-empty string of letters, digits, '_', '-', '.', ':' or '='",
    );
  }
  return value;
}

function resolveAgentType(agentType: string | AgentType): string {
  const value: unknown = agentType;
  const name = typeof value === 'object' && value !== null ? ((value as { type?: unknown }).type ?? value) : value;
  return validateAgentType(name);
}

function resolveSubscriptionId(id: string | undefined): string {
  if (id === undefined) return crypto.randomUUID();
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(`Invalid subscription id ${describeValue(id)}: it must be a non-empty string`);
  }
  return id;
}
