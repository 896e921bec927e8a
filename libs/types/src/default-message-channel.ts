import { MessageChannel } from './message-channel.js';
import { MessageHandlerContext } from './message-handler-context.js';

/**
 * A channel whose source defaults to the key of the agent whose handler is running, so a reply
 * published from a handler stays within the conversation (session) that triggered it.
 */
export class DefaultMessageChannel extends MessageChannel {
  constructor(type = 'default', source?: string) {
    super(type, source ?? MessageHandlerContext.tryAgentId()?.key ?? 'default');
  }
}
