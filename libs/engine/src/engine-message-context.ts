import { randomUUID } from 'node:crypto';
import { CancellationToken, type AgentId, type MessageChannel, type MessageContext } from '@agentopera/types';

interface ContextSource {
  cancellationToken: CancellationToken | undefined;
  messageId: string | undefined;
}

/**
 * The `MessageContext` the engine hands to handlers. The token and message id are created on
 * first read and stored on the envelope, so all recipients of one publish share them, and
 * messages whose handlers never look pay for neither (`randomUUID` is a large share of a send).
 */
export class EngineMessageContext implements MessageContext {
  constructor(
    readonly sender: AgentId | null,
    readonly messageChannel: MessageChannel | null,
    readonly isRpc: boolean,
    private readonly source: ContextSource,
  ) {}

  get cancellationToken(): CancellationToken {
    return (this.source.cancellationToken ??= new CancellationToken());
  }

  get messageId(): string {
    return (this.source.messageId ??= randomUUID());
  }

  toJSON(): Record<string, unknown> {
    return {
      sender: this.sender?.toString() ?? null,
      messageChannel: this.messageChannel?.toString() ?? null,
      isRpc: this.isRpc,
      messageId: this.messageId,
    };
  }
}
