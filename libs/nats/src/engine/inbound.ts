import type { JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { EngineMessageContext, type AgentDirectory, type EngineEventLog, type HandlerRunner } from '@agentopera/engine';
import type { SerializationRegistry } from '@agentopera/serialization';
import { DeliveryStage, MessageKind, type TraceHelper } from '@agentopera/telemetry';
import { AgentId, CancellationToken, CancelledError, MessageChannel } from '@agentopera/types';
import { FencedOutError } from '../cluster/fenced-state.js';
import type { DeliveryOutcome } from '../cluster/slot-consumer.js';
import type { CallChains } from './call-chains.js';
import { runAsTurnOf, type FencedStateStore } from './fenced-state-store.js';
import { H, decodeValue, encodeError, encodeResult, readHeaderValue } from './wire.js';

export interface InboundParts {
  readonly nc: NatsConnection;
  readonly registry: SerializationRegistry;
  readonly directory: AgentDirectory;
  readonly runner: HandlerRunner;
  readonly store: FencedStateStore | undefined;
  readonly chains: CallChains;
  readonly traceHelper: TraceHelper;
  readonly events: EngineEventLog;
  /** A published message's handler failed on its last delivery (for `ignoreUnhandledExceptions: false`). */
  readonly recordBackgroundError: (error: unknown) => void;
}

/** The request of an RPC, to find it again when its caller cancels. */
interface Request {
  readonly caller: string;
  readonly id: string;
}

const MAX_EARLY_CANCELS = 10_000;

/**
 * Where agent-bound messages arrive on the process that owns their partition: decode, activate the
 * agent through the engine's directory, skip a redelivered message the agent already committed,
 * run the handler (a turn for serial agents, saved per turn when persisted so), answer the caller,
 * and say whether to ack. An application error is the caller's answer (acked); a handler failure
 * on a published message, or one that cannot be decoded, is retried and in the end dead-lettered;
 * ownership lost mid-turn acks nothing.
 */
export class Inbound {
  private readonly running = new Map<string, CancellationToken>();
  /** Cancellations that came before their request was delivered (bounded, oldest dropped). */
  private readonly earlyCancels = new Set<string>();
  inFlight = 0;
  handled = 0;

  constructor(private readonly parts: InboundParts) {}

  /** The caller gave up on a request: cancel its handler, or skip it when it arrives. */
  cancel(caller: string, id: string): void {
    const key = `${caller}/${id}`;
    const token = this.running.get(key);
    if (token !== undefined) {
      token.cancel(new CancelledError('The caller cancelled the call'));
      return;
    }
    this.earlyCancels.add(key);
    if (this.earlyCancels.size > MAX_EARLY_CANCELS) {
      for (const oldest of this.earlyCancels) {
        this.earlyCancels.delete(oldest);
        break;
      }
    }
  }

  async handle(msg: JsMsg): Promise<DeliveryOutcome> {
    this.inFlight++;
    try {
      return await this.deliver(msg);
    } finally {
      this.inFlight--;
    }
  }

  private async deliver(msg: JsMsg): Promise<DeliveryOutcome> {
    const { directory, events, registry, traceHelper } = this.parts;
    const h = msg.headers;
    const isRpc = h?.get(H.kind) === 'rpc';
    const request: Request | undefined = isRpc ? { caller: h?.get(H.caller) ?? '', id: h?.get(H.requestId) ?? '' } : undefined;
    const replyTo = isRpc ? h?.get(H.replyTo) : undefined;
    if (request !== undefined) {
      const deadline = Number(h?.get(H.deadline));
      // The caller no longer waits: its answer would reach no one.
      if ((Number.isFinite(deadline) && Date.now() > deadline) || this.earlyCancels.delete(`${request.caller}/${request.id}`)) return 'ack';
    }
    let recipient: AgentId;
    let message: unknown;
    let sender: AgentId | null;
    let channel: MessageChannel | null;
    const messageId = readHeaderValue(h?.get(H.messageId)) ?? `${msg.info.stream}-${msg.seq}`;
    try {
      recipient = AgentId.fromStr(readHeaderValue(h?.get(H.to)) ?? '');
      const from = readHeaderValue(h?.get(H.from));
      sender = from === undefined ? null : AgentId.fromStr(from);
      const channelText = readHeaderValue(h?.get(H.channel));
      channel = channelText === undefined ? null : MessageChannel.fromStr(channelText);
      message = decodeValue(registry, h?.get(H.typeName) ?? '', h?.get(H.contentType) ?? '', msg.data);
    } catch (error) {
      // Unreadable: the caller hears why at once; the message is retried (another process may know
      // its type) and dead-lettered in the end.
      if (replyTo !== undefined) this.reply(replyTo, 'error', encodeError(error));
      events.unobserved(`a message on ${msg.subject} could not be decoded`, error);
      return 'retry';
    }
    events.message(message, sender, recipient, isRpc ? MessageKind.DIRECT : MessageKind.PUBLISH, DeliveryStage.DELIVER);
    const token = new CancellationToken();
    const key = request === undefined ? undefined : `${request.caller}/${request.id}`;
    if (key !== undefined) this.running.set(key, token);
    try {
      const activation = await directory.activation(recipient);
      if (this.parts.store?.hasProcessed(activation.id, messageId) === true) return 'ack';
      const ctx = new EngineMessageContext(sender, channel, isRpc, { cancellationToken: token, messageId });
      const chain = this.parts.chains.decode(h?.get(H.chain));
      const run = (): Promise<unknown> => runAsTurnOf(messageId, () => this.parts.runner.run(activation, recipient, message, ctx, chain));
      const parent = { traceparent: h?.get(H.traceparent), tracestate: h?.get(H.tracestate) };
      const result = await (traceHelper.enabled ? traceHelper.traceBlock('process', recipient, parent.traceparent ? parent : undefined, run) : run());
      this.handled++;
      if (replyTo !== undefined) this.replyResult(replyTo, result);
      return 'ack';
    } catch (error) {
      if (error instanceof FencedOutError) return 'abandon'; // the agent's next owner handles it
      this.handled++;
      if (replyTo !== undefined) {
        events.handlerException(message, recipient, error);
        this.reply(replyTo, 'error', encodeError(error));
        return 'ack';
      }
      events.publishFailure(message, recipient, error);
      if (msg.info.deliveryCount >= 1) this.parts.recordBackgroundError(error);
      return 'retry';
    } finally {
      if (key !== undefined) this.running.delete(key);
    }
  }

  private replyResult(replyTo: string, result: unknown): void {
    let encoded;
    try {
      encoded = encodeResult(this.parts.registry, result);
    } catch (error) {
      this.reply(replyTo, 'error', encodeError(error));
      return;
    }
    const h = headers();
    h.set(H.status, 'ok');
    h.set(H.typeName, encoded.typeName);
    h.set(H.contentType, encoded.contentType);
    try {
      this.parts.nc.publish(replyTo, encoded.data, { headers: h });
    } catch (error) {
      // Too large for the server's max_payload, most likely: the caller hears that instead.
      this.reply(replyTo, 'error', encodeError(error));
    }
  }

  private reply(replyTo: string, status: 'ok' | 'error', data: Uint8Array): void {
    const h = headers();
    h.set(H.status, status);
    try {
      this.parts.nc.publish(replyTo, data, { headers: h });
    } catch {
      // Closed connection: the caller's deadline settles it.
    }
  }
}
