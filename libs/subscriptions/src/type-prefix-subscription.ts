import type { AgentType } from '@agentopera/types';
import { SourceKeyedSubscription } from './source-keyed-subscription.js';

/**
 * Delivers every channel whose type starts with a prefix to agents of one type, one agent per
 * channel source. Agents subscribe `"<agentType>:"` to receive messages addressed to them directly.
 */
export class TypePrefixSubscription extends SourceKeyedSubscription {
  /** Index hint: this subscription matches only channel types that start with this prefix. */
  readonly topicTypePrefix: string;

  constructor(topicTypePrefix: string, agentType: string | AgentType, id?: string) {
    super('topicTypePrefix', topicTypePrefix, agentType, id);
    this.topicTypePrefix = topicTypePrefix;
  }

  protected matchesType(type: string): boolean {
    return type.startsWith(this.topicTypePrefix);
  }
}
