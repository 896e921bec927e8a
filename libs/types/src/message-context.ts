import type { AgentId } from './agent-id.js';
import type { CancellationToken } from './cancellation-token.js';
import type { MessageChannel } from './message-channel.js';

/** What a handler learns about the message it is handling besides the message itself. */
export interface MessageContext {
  /** The sending agent, or `null` when sent from outside any agent. */
  readonly sender: AgentId | null;
  /** The channel a published message came on; `null` for direct (RPC) messages. */
  readonly messageChannel: MessageChannel | null;
  /** `true` for `sendMessage` (the caller awaits the result), `false` for published messages. */
  readonly isRpc: boolean;
  readonly cancellationToken: CancellationToken;
  readonly messageId: string;
}
