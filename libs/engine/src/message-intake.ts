import { DeliveryStage, MessageKind, type EnvelopeMetadata, type TraceHelper } from '@agentopera/telemetry';
import {
  AgentId,
  EngineStoppedError,
  MessageChannel,
  MessageHandlerContext,
  type SendOptions,
} from '@agentopera/types';
import { QueueShutDownError } from '@agentopera/queue';
import type { AgentDirectory } from './agent-directory.js';
import { callProblem, callToken, cancelledError, linkSignal } from './call-options.js';
import type { EngineEventLog } from './engine-event-log.js';
import { PublishMessageEnvelope, SendMessageEnvelope, type MessageEnvelope } from './envelopes.js';

/** Puts an envelope in the engine's queue; `onQueued`/`onError` report a publish's outcome. */
export type EnvelopeSink = (envelope: MessageEnvelope, onQueued?: () => void, onError?: (error: unknown) => void) => void;

/**
 * Where a send or publish enters the engine: the call is checked (recipient, channel, token,
 * signal), rejected at once when it cannot succeed (cancelled, unknown recipient), traced
 * (`create`) and turned into the envelope the queue carries. A send's caller holds a promise its
 * envelope settles; a publish resolves once queued.
 */
export class MessageIntake {
  constructor(
    private readonly directory: AgentDirectory,
    private readonly events: EngineEventLog,
    private readonly traceHelper: TraceHelper,
    private readonly queueEnvelope: EnvelopeSink,
  ) {}

  send<R = unknown>(message: unknown, recipient: AgentId, options: SendOptions = NO_OPTIONS): Promise<R> {
    const token = callToken(options);
    const problem = callProblem('send', recipient, token);
    if (problem !== undefined) return Promise.reject(problem);
    if (!this.directory.isKnown(recipient)) return Promise.reject(this.directory.notFound(recipient));
    const sender = options.sender ?? null;
    this.events.message(message, sender, recipient, MessageKind.DIRECT, DeliveryStage.SEND);
    const messageId = options.messageId;
    return new Promise<R>((resolve, reject) => {
      const settle = resolve as (value: unknown) => void;
      // Untraced (the common case): no closure beyond the promise's own executor.
      if (!this.traceHelper.enabled) {
        this.enqueueSend(new SendMessageEnvelope(message, sender, recipient, settle, reject, token, messageId, undefined), options.signal);
        return;
      }
      this.traceCreate(recipient, message, (metadata) =>
        this.enqueueSend(new SendMessageEnvelope(message, sender, recipient, settle, reject, token, messageId, metadata), options.signal),
      );
    });
  }

  /** The `create` span of a send or publish; `enqueue` runs inside it with the span's context. */
  private traceCreate(destination: AgentId | MessageChannel, message: unknown, enqueue: (metadata: EnvelopeMetadata | undefined) => void): void {
    this.traceHelper.traceBlock('create', destination, undefined, () => enqueue(this.traceHelper.captureMetadata()), {
      extraAttributes: { message_type: messageTypeName(message) },
    });
  }

  private enqueueSend(envelope: SendMessageEnvelope, signal: AbortSignal | undefined): void {
    const token = envelope.cancellationToken;
    if (token !== undefined) {
      const unlinkToken = token.addCallback(() => envelope.reject(cancelledError(token)));
      envelope.unlinkCancellation = signal === undefined ? unlinkToken : linkSignal(token, signal, unlinkToken);
    }
    if (this.directory.hasSerialTypes) envelope.chain = MessageHandlerContext.currentCallChain();
    this.queueEnvelope(envelope);
  }

  publish(message: unknown, channel: MessageChannel, options: SendOptions = NO_OPTIONS): Promise<void> {
    const token = callToken(options);
    const problem = callProblem('publish', channel, token);
    if (problem !== undefined) return Promise.reject(problem);
    const sender = options.sender ?? null;
    this.events.message(message, sender, channel, MessageKind.PUBLISH, DeliveryStage.SEND);
    const messageId = options.messageId;
    const signal = options.signal;
    return new Promise<void>((resolve, reject) => {
      const make = (metadata: EnvelopeMetadata | undefined): PublishMessageEnvelope => {
        const envelope = new PublishMessageEnvelope(message, sender, channel, token, messageId, metadata);
        if (signal !== undefined && token !== undefined) envelope.unlinkCancellation = linkSignal(token, signal, undefined);
        return envelope;
      };
      if (!this.traceHelper.enabled) {
        this.queueEnvelope(make(undefined), resolve, reject);
        return;
      }
      this.traceCreate(channel, message, (metadata) => this.queueEnvelope(make(metadata), resolve, reject));
    });
  }
}

const NO_OPTIONS: SendOptions = Object.freeze({});

/** A message's type as events and spans name it: its class name, or `typeof` for primitives. */
export function messageTypeName(message: unknown): string {
  if (message === null) return 'null';
  if (typeof message === 'object') return message.constructor?.name ?? 'Object';
  return typeof message;
}

/** A send's caller hears that its message could not be queued through its envelope; a publish's through `onPublishError`. */
export function failEnqueue(envelope: MessageEnvelope, onPublishError: ((error: unknown) => void) | undefined, error: unknown): void {
  const reason =
    error instanceof QueueShutDownError
      ? new EngineStoppedError('The engine is stopped and its queue cannot take messages; start it again (with a queue factory)', {
          cause: error,
        })
      : error;
  if (envelope.kind === 'send') envelope.reject(reason);
  else onPublishError?.(reason);
}
