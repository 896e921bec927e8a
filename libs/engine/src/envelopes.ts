import type { AgentId, CallChain, CancellationToken, MessageChannel } from '@agentopera/types';
import type { EnvelopeMetadata } from '@agentopera/telemetry';

/**
 * A `sendMessage` waiting in the queue. It owns the caller's promise and settles it at most once,
 * whichever comes first: the handler's result, an error, cancellation or the engine stopping.
 */
export class SendMessageEnvelope {
  readonly kind = 'send' as const;
  settled = false;
  /** Removes the cancellation callback once settled, so long-lived tokens do not accumulate them. */
  unlinkCancellation: (() => void) | undefined = undefined;
  /** The call chain of the sending handler (kept once serial agents exist): see `Activation.runTurn`. */
  chain: CallChain | undefined = undefined;

  constructor(
    public message: unknown,
    readonly sender: AgentId | null,
    readonly recipient: AgentId,
    private readonly onResolve: (value: unknown) => void,
    private readonly onReject: (reason: unknown) => void,
    public cancellationToken: CancellationToken | undefined,
    public messageId: string | undefined,
    readonly metadata: EnvelopeMetadata | undefined,
  ) {}

  resolve(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.unlinkCancellation?.();
    this.onResolve(value);
  }

  reject(reason: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.unlinkCancellation?.();
    this.onReject(reason);
  }
}

/** A `publishMessage` waiting in the queue; its caller's promise resolved when it was enqueued. */
export class PublishMessageEnvelope {
  readonly kind = 'publish' as const;
  /** Detaches the caller's abort signal once the publish has been delivered. */
  unlinkCancellation: (() => void) | undefined = undefined;

  constructor(
    public message: unknown,
    readonly sender: AgentId | null,
    readonly channel: MessageChannel,
    public cancellationToken: CancellationToken | undefined,
    public messageId: string | undefined,
    readonly metadata: EnvelopeMetadata | undefined,
  ) {}
}

/**
 * A handler's result on its way back to the caller. The engine settles it as soon as the handler
 * returns (after `onResponse` interventions) instead of parking it in the queue, so a response
 * can never be stranded by `stop()`.
 */
export class ResponseMessageEnvelope {
  readonly kind = 'response' as const;

  constructor(
    public message: unknown,
    readonly sender: AgentId,
    readonly recipient: AgentId | null,
    readonly request: SendMessageEnvelope,
    readonly metadata: EnvelopeMetadata | undefined,
  ) {}
}

/** What travels through the engine's queue. */
export type MessageEnvelope = SendMessageEnvelope | PublishMessageEnvelope;
