import type { AgentType } from '@agentopera/types';
import { SourceKeyedSubscription } from './source-keyed-subscription.js';

/** Delivers channels of exactly one type to agents of one type, one agent per channel source. */
export class TypeSubscription extends SourceKeyedSubscription {
  /** Index hint: this subscription matches only channels of this type. */
  readonly topicType: string;

  constructor(topicType: string, agentType: string | AgentType, id?: string) {
    super('topicType', topicType, agentType, id);
    this.topicType = topicType;
  }

  protected matchesType(type: string): boolean {
    return type === this.topicType;
  }
}
