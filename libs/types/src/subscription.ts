import type { AgentId } from './agent-id.js';
import type { MessageChannel } from './message-channel.js';

/**
 * Maps published messages onto agents: `isMatch` decides whether a channel concerns this
 * subscription, `mapToAgent` names the agent that receives it.
 */
export interface Subscription {
  readonly id: string;
  isMatch(channel: MessageChannel): boolean;
  mapToAgent(channel: MessageChannel): AgentId;
  /** Equal when ids match or when both describe the same mapping. */
  equals(other: Subscription): boolean;
  /**
   * Index hints. A subscription that can only match channels of one exact type sets `topicType`;
   * one that matches by type prefix sets `topicTypePrefix`. Managers use them to avoid scanning
   * unrelated subscriptions; a subscription with neither is checked on every lookup.
   */
  readonly topicType?: string;
  readonly topicTypePrefix?: string;
}
