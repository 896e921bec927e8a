import { randomUUID } from 'node:crypto';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  DropMessage,
  EngineMessageContext,
  callProblem,
  callToken,
  cancelledError,
  intervene,
  linkSignal,
  type EngineEventLog,
  type InterventionHandler,
} from '@agentopera/engine';
import { JSON_DATA_CONTENT_TYPE, type SerializationRegistry } from '@agentopera/serialization';
import { DeliveryStage, MessageKind, type EnvelopeMetadata, type TraceHelper } from '@agentopera/telemetry';
import {
  AgentId,
  CancellationToken,
  MessageChannel,
  MessageDroppedError,
  MessageHandlerContext,
  responseClassOf,
  type ResponseClassOf,
  type SendOptions,
} from '@agentopera/types';
import type { ClusterNames } from '../cluster/cluster-names.js';
import { PublishTimeoutError, type JetStreamPublisher } from '../cluster/jetstream-publisher.js';
import type { ReplyRouter } from '../cluster/reply-router.js';
import { partitionOf } from '../partition.js';
import type { CallChains } from './call-chains.js';
import type { ClusterSubscriptions } from './cluster-subscriptions.js';
import type { TypeRegistry } from './type-registry.js';
import { H, decodeError, decodeResult, encodeMessage, headerValue, messageHeader, readHeaderValue, rpcHeader, type EncodedValue } from './wire.js';

export interface OutboundParts {
  readonly nc: NatsConnection;
  readonly names: ClusterNames;
  readonly processId: string;
  readonly partitions: number;
  readonly registry: SerializationRegistry;
  readonly publisher: JetStreamPublisher;
  readonly replies: ReplyRouter;
  readonly types: TypeRegistry;
  readonly subscriptions: ClusterSubscriptions;
  readonly chains: CallChains;
  readonly interventionHandlers: readonly InterventionHandler[];
  readonly traceHelper: TraceHelper;
  readonly events: EngineEventLog;
  readonly rpcTimeoutMs: number;
  /** `AgentNotFoundError` for a type no process registered. */
  readonly notFound: (id: AgentId) => Promise<Error>;
}

/**
 * Where a send or publish leaves this process. Everything that can fail at the sender does so
 * before anything is stored: a bad recipient, a type no process registered, a message with no
 * serializer, an intervention that drops it. A send is stored in the inbox stream and answered on
 * this process's reply subject; a publish is stored once per recipient (resolved from the shared
 * subscriptions, fresh as of the call) and resolves when all are stored.
 */
export class Outbound {
  constructor(private readonly parts: OutboundParts) {}

  async send(message: unknown, recipient: AgentId, options: SendOptions): Promise<unknown> {
    const token = callToken(options);
    const problem = callProblem('send', recipient, token);
    if (problem !== undefined) throw problem;
    const unlink = linkCall(token, options.signal);
    try {
      const parts = this.parts;
      if (!parts.types.isKnownNow(recipient.type) && !(await parts.types.isKnown(recipient.type))) throw await parts.notFound(recipient);
      const sender = options.sender ?? null;
      const messageId = options.messageId ?? randomUUID();
      parts.events.message(message, sender, recipient, MessageKind.DIRECT, DeliveryStage.SEND);
      let outgoing = message;
      if (parts.interventionHandlers.length > 0) {
        const ctx = new EngineMessageContext(sender, null, true, { cancellationToken: token, messageId });
        outgoing = await intervene(parts.interventionHandlers, (h, m) => h.onSend(m, ctx, recipient), message, 'send', parts.traceHelper, parts.events);
        if (outgoing === DropMessage) {
          parts.events.dropped(message, sender, recipient, MessageKind.DIRECT);
          throw new MessageDroppedError(`An intervention handler dropped the message to ${recipient}`);
        }
      }
      const encoded = encodeMessage(parts.registry, outgoing);
      const chain = parts.chains.encode(MessageHandlerContext.currentCallChain());
      const declared = responseClassOf(outgoing);
      const call = (metadata: EnvelopeMetadata | undefined): Promise<unknown> =>
        this.call(encoded, recipient, sender, messageId, token, chain, metadata, declared);
      const reply = parts.traceHelper.enabled
        ? parts.traceHelper.traceBlock('create', recipient, undefined, () => call(parts.traceHelper.captureMetadata()), {
            extraAttributes: { message_type: encoded.typeName },
          })
        : call(undefined);
      return await this.respond(await reply, recipient, sender);
    } finally {
      unlink();
    }
  }

  private call(
    encoded: EncodedValue,
    recipient: AgentId,
    sender: AgentId | null,
    messageId: string,
    token: CancellationToken | undefined,
    chain: string | undefined,
    metadata: EnvelopeMetadata | undefined,
    declared: ResponseClassOf | undefined,
  ): Promise<unknown> {
    const { names, replies, publisher, partitions, processId, rpcTimeoutMs, registry, nc } = this.parts;
    // The caller alone keeps the deadline, on its own clock; the host hears it gave up by a cancel.
    const cancelRemote = (): void => {
      try {
        nc.publish(names.cancelSubject, JSON.stringify({ caller: processId, request: expected.requestId }));
      } catch {
        // closed connection: the host's answer reaches no one either way
      }
    };
    const expected = replies.expect(rpcTimeoutMs, () => `No answer from ${recipient} within ${rpcTimeoutMs} ms (rpcTimeoutMs)`, cancelRemote);
    const h = messageHeaders('rpc', encoded, recipient, sender, undefined, messageId, metadata);
    h.set(H.rpc, rpcHeader({ replyTo: expected.replySubject, caller: processId, requestId: expected.requestId, timeoutMs: rpcTimeoutMs, chain }));
    const subject = names.inboxSubject(recipient.type, partitionOf(recipient.type, recipient.key, partitions), recipient.key);
    const unlinkToken = token?.addCallback(() => {
      if (replies.fail(expected.requestId, cancelledError(token))) cancelRemote();
    });
    // The stream de-duplicates this call's own re-sends only (lost PubAck, reconnect): its id names
    // the call. So `duplicate: true` means "stored before", never that the call was refused; a
    // reused message id is judged by the recipient, which answers `DuplicateMessageError`.
    const dedupId = headerValue(`${messageId}@${recipient.toString()}#${processId}/${expected.requestId}`);
    publisher.publish(subject, encoded.data, h, dedupId, rpcTimeoutMs).catch((error: unknown) => {
      // No PubAck by the deadline: the message may be stored, so the call settles by its reply
      // or its own deadline (DeliveryTimeoutError), not by the publish.
      if (!(error instanceof PublishTimeoutError)) replies.fail(expected.requestId, error);
    });
    return expected.reply.then(
      (reply) => {
        unlinkToken?.();
        const status = reply.headers?.get(H.reply) ?? '';
        if (!status.startsWith('ok ')) throw decodeError(reply.data);
        const typeName = readHeaderValue(status.slice(3)) ?? '';
        return decodeResult(registry, typeName, reply.headers?.get(H.contentType) || JSON_DATA_CONTENT_TYPE, reply.data, declared);
      },
      (error: unknown) => {
        unlinkToken?.();
        throw error;
      },
    );
  }

  /** Runs the answer through the `onResponse` interventions of this (the caller's) process. */
  private async respond(response: unknown, recipient: AgentId, sender: AgentId | null): Promise<unknown> {
    const parts = this.parts;
    let message = response;
    if (parts.interventionHandlers.length > 0) {
      message = await intervene(parts.interventionHandlers, (h, m) => h.onResponse(m, recipient, sender), response, 'response', parts.traceHelper, parts.events);
      if (message === DropMessage) {
        parts.events.dropped(response, recipient, sender, MessageKind.RESPOND);
        throw new MessageDroppedError(`An intervention handler dropped the response of ${recipient}`);
      }
    }
    parts.events.message(message, recipient, sender, MessageKind.RESPOND, DeliveryStage.DELIVER);
    return message;
  }

  async publish(message: unknown, channel: MessageChannel, options: SendOptions): Promise<void> {
    const token = callToken(options);
    const problem = callProblem('publish', channel, token);
    if (problem !== undefined) throw problem;
    const unlink = linkCall(token, options.signal);
    try {
      const parts = this.parts;
      const sender = options.sender ?? null;
      const messageId = options.messageId ?? randomUUID();
      parts.events.message(message, sender, channel, MessageKind.PUBLISH, DeliveryStage.SEND);
      let outgoing = message;
      if (parts.interventionHandlers.length > 0) {
        const ctx = new EngineMessageContext(sender, channel, false, { cancellationToken: token, messageId });
        outgoing = await intervene(parts.interventionHandlers, (h, m) => h.onPublish(m, ctx), message, 'publish', parts.traceHelper, parts.events);
        if (outgoing === DropMessage) {
          parts.events.dropped(message, sender, channel, MessageKind.PUBLISH);
          return;
        }
      }
      const encoded = encodeMessage(parts.registry, outgoing);
      const store = async (metadata: EnvelopeMetadata | undefined): Promise<void> => {
        const recipients = await parts.subscriptions.recipients(channel);
        const stored: Promise<unknown>[] = [];
        for (const recipient of recipients) {
          if (sender !== null && recipient.type === sender.type && recipient.key === sender.key) continue;
          if (token?.isCancelled()) throw cancelledError(token);
          const h = messageHeaders('event', encoded, recipient, sender, channel, messageId, metadata);
          const subject = parts.names.inboxSubject(recipient.type, partitionOf(recipient.type, recipient.key, parts.partitions), recipient.key);
          stored.push(parts.publisher.publish(subject, encoded.data, h, headerValue(`${messageId}@${recipient.toString()}`), parts.rpcTimeoutMs));
        }
        // Nobody is subscribed (but the sender): say so, or the message vanishes unseen.
        if (stored.length === 0) parts.events.unhandled(outgoing, sender, channel, null);
        await Promise.all(stored);
      };
      await (parts.traceHelper.enabled
        ? parts.traceHelper.traceBlock('create', channel, undefined, () => parts.traceHelper.traceBlock('publish', channel, parts.traceHelper.captureMetadata(), () => store(parts.traceHelper.captureMetadata())), {
            extraAttributes: { message_type: encoded.typeName },
          })
        : store(undefined));
    } finally {
      unlink();
    }
  }
}

const NOTHING = (): void => {};

/** Links the call's `signal` to its token until the call settles. */
function linkCall(token: CancellationToken | undefined, signal: AbortSignal | undefined): () => void {
  return token === undefined || signal === undefined ? NOTHING : linkSignal(token, signal, undefined);
}

function messageHeaders(
  kind: 'rpc' | 'event',
  encoded: EncodedValue,
  recipient: AgentId,
  sender: AgentId | null,
  channel: MessageChannel | undefined,
  messageId: string,
  metadata: EnvelopeMetadata | undefined,
): MsgHdrs {
  const h = headers();
  h.set(
    H.message,
    messageHeader({ kind, to: recipient.toString(), typeName: encoded.typeName, messageId, from: sender?.toString(), channel: channel?.toString() }),
  );
  if (encoded.contentType !== JSON_DATA_CONTENT_TYPE) h.set(H.contentType, encoded.contentType);
  if (metadata?.traceparent !== undefined) h.set(H.traceparent, metadata.traceparent);
  if (metadata?.tracestate !== undefined) h.set(H.tracestate, metadata.tracestate);
  return h;
}
