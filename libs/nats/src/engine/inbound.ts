import type { JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { EngineMessageContext, cancelledError, type Activation, type AgentDirectory, type EngineEventLog, type HandlerRunner } from '@agentopera/engine';
import { JSON_DATA_CONTENT_TYPE, type SerializationRegistry } from '@agentopera/serialization';
import { DeliveryStage, MessageKind, type TraceHelper } from '@agentopera/telemetry';
import { AgentId, CancellationToken, CancelledError, MessageChannel, NotHandled, describeValue, type CallChain, type MessageContext } from '@agentopera/types';
import { AlreadyCommittedError, FencedOutError, turnKey } from '../cluster/fenced-state.js';
import type { DeliveryOutcome } from '../cluster/slot-consumer.js';
import { DeliveryTimeoutError, DuplicateMessageError } from '../errors.js';
import type { CallChains } from './call-chains.js';
import { isStoreFault, runAsTurnOf, type FencedStateStore } from './fenced-state-store.js';
import { H, decodeValue, encodeError, encodeResult, headerValue, parseMessageHeader, parseRpcHeader, type MessageFields } from './wire.js';

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

const MAX_EARLY_CANCELS = 10_000;

/** Where a handler's `MessageContext` finds its token and message id. */
interface TokenSource {
  cancellationToken: CancellationToken | undefined;
  messageId: string;
}

/** A delivery whose handler runs in this process, and where its caller waits (RPCs). */
interface RunningDelivery {
  readonly source: TokenSource;
  readonly replyTo: string | undefined;
}

/**
 * Where agent-bound messages arrive on the process that owns their partition: decode, activate the
 * agent through the engine's directory, skip a redelivered message the agent already committed,
 * run the handler (a turn for serial agents, saved per turn when persisted so), answer the caller,
 * and say whether to ack. An application error is the caller's answer (acked); a handler failure
 * on a published message, or one that cannot be decoded, is retried and in the end dead-lettered;
 * ownership lost mid-turn acks nothing.
 */
export class Inbound {
  /** Running RPCs, by caller and request id (what a caller's cancel names). */
  private readonly running = new Map<string, TokenSource>();
  /** Every delivery whose handler runs here, for `cancelRunning`. */
  private readonly active = new Set<RunningDelivery>();
  /** Deliveries running in this process, by agent and message id. */
  private readonly deliveries = new Map<string, Promise<void>>();
  /** Cancellations that came before their request was delivered (bounded, oldest dropped). */
  private readonly earlyCancels = new Set<string>();
  inFlight = 0;
  handled = 0;

  constructor(private readonly parts: InboundParts) {}

  /** The caller gave up on a request: cancel its handler, or skip it when it arrives. */
  cancel(caller: string, id: string): void {
    const key = `${caller}/${id}`;
    const running = this.running.get(key);
    if (running !== undefined) {
      (running.cancellationToken ??= new CancellationToken()).cancel(new CancelledError('The caller cancelled the call'));
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

  /**
   * Cancels every running handler's token with `reason` (a stop's signal aborted) and answers each
   * waiting caller with `CancelledError` at once: the handler may never end.
   */
  cancelRunning(reason: unknown): void {
    for (const delivery of [...this.active]) {
      const token = (delivery.source.cancellationToken ??= new CancellationToken());
      token.cancel(reason);
      if (delivery.replyTo !== undefined) this.reply(delivery.replyTo, 'error', encodeError(cancelledError(token)));
    }
  }

  /** `ackFloor`: the consumer's ack floor as last seen, which says how long this message's id must be kept once committed. */
  async handle(msg: JsMsg, ackFloor = 0): Promise<DeliveryOutcome> {
    this.inFlight++;
    try {
      return await this.deliver(msg, ackFloor);
    } finally {
      this.inFlight--;
    }
  }

  private async deliver(msg: JsMsg, ackFloor: number): Promise<DeliveryOutcome> {
    const { directory, events, registry, traceHelper } = this.parts;
    const h = msg.headers;
    const rpc = parseRpcHeader(h?.get(H.rpc));
    const replyTo = rpc?.replyTo;
    // The caller gave up (cancelled, or its own deadline passed, on its own clock: no clock of
    // another process is compared here): its answer would reach no one.
    if (rpc !== undefined && this.earlyCancels.delete(`${rpc.caller}/${rpc.requestId}`)) return 'ack';
    let fields: MessageFields;
    let recipient: AgentId;
    let message: unknown;
    let sender: AgentId | null;
    let channel: MessageChannel | null;
    try {
      fields = parseMessageHeader(h?.get(H.message));
      recipient = AgentId.fromStr(fields.to);
      sender = fields.from === undefined ? null : AgentId.fromStr(fields.from);
      channel = fields.channel === undefined ? null : MessageChannel.fromStr(fields.channel);
      message = decodeValue(registry, fields.typeName, h?.get(H.contentType) || JSON_DATA_CONTENT_TYPE, msg.data);
    } catch (error) {
      // Unreadable: the caller hears why at once; the message is retried (another process may know
      // its type) and dead-lettered in the end.
      if (replyTo !== undefined) this.reply(replyTo, 'error', encodeError(error));
      events.unobserved(`a message on ${msg.subject} could not be decoded`, error);
      throw error; // retried, then dead-lettered with this reason
    }
    const isRpc = fields.kind === 'rpc';
    const messageId = fields.messageId;
    events.message(message, sender, recipient, isRpc ? MessageKind.DIRECT : MessageKind.PUBLISH, DeliveryStage.DELIVER);
    // The token is made only if a handler reads it or the caller cancels.
    const source: TokenSource = { cancellationToken: undefined, messageId };
    const key = rpc === undefined ? undefined : `${rpc.caller}/${rpc.requestId}`;
    if (key !== undefined) this.running.set(key, source);
    const running: RunningDelivery = { source, replyTo };
    this.active.add(running);
    let activation: Activation | undefined;
    let cleanup: (() => void) | undefined;
    try {
      const live = (activation = await directory.activation(recipient));
      // Only agents whose state is saved every turn record the ids of their messages.
      const perTurn = live.registration?.persistence === 'turn' && this.parts.store !== undefined;
      if (perTurn) {
        // A redelivery while the first delivery of this message is still running here (its ack
        // was lost in a reconnect, say) waits for it, then finds its id committed.
        const duplicateKey = `${live.key}\u0000${messageId}`;
        for (let earlier = this.deliveries.get(duplicateKey); earlier !== undefined; earlier = this.deliveries.get(duplicateKey)) {
          await earlier.catch(() => {});
        }
        const first = this.parts.store?.processedAs(live.id, messageId);
        if (first !== undefined) {
          if (replyTo !== undefined) this.reply(replyTo, 'error', encodeError(alreadyHandled(messageId, recipient, first === turnKey(messageId, key))));
          return 'ack';
        }
        let finished!: () => void;
        this.deliveries.set(duplicateKey, new Promise<void>((resolve) => (finished = resolve)));
        cleanup = () => {
          this.deliveries.delete(duplicateKey);
          finished();
        };
      }
      const ctx = new EngineMessageContext(sender, channel, isRpc, source);
      const chain = this.parts.chains.decode(rpc?.chain);
      const execute = (link: CallChain | undefined, target: Activation): Promise<unknown> =>
        perTurn
          ? runAsTurnOf({ key: turnKey(messageId, key), seq: msg.seq, ackFloor }, () => this.parts.runner.run(target, recipient, message, ctx, link))
          : this.parts.runner.run(target, recipient, message, ctx, link);
      // A serial agent's turn is entered here, with this message's id in the async context, so
      // the save that ends the turn records this message (the runner's own queue would start a
      // waiting turn in the context of the turn before it). The runner then sees its call as part
      // of the running turn and runs it at once.
      const agent = live.agent as { isInterleaving?: (message: unknown, ctx: MessageContext) => boolean };
      const ownTurn = live.registration?.serial === true && agent.isInterleaving?.(message, ctx) !== true;
      const run = (): Promise<unknown> =>
        ownTurn ? this.inTurn(live, recipient, chain, execute, (moved) => (activation = moved)) : execute(chain, live);
      let result: unknown;
      if (traceHelper.enabled) {
        // The local engine's spans, with the sender's as parent: send → process → ack for a call,
        // process for a published message (its publish span is the publisher's).
        const parent = h?.get(H.traceparent) ? { traceparent: h.get(H.traceparent), tracestate: h.get(H.tracestate) } : undefined;
        const processAndAnswer = async (): Promise<unknown> => {
          const value = await run();
          if (replyTo !== undefined) await traceHelper.traceBlock('ack', sender ?? `caller of ${recipient}`, undefined, async () => this.replyResult(replyTo, value));
          return value;
        };
        const processing = (metadata: typeof parent): Promise<unknown> => traceHelper.traceBlock('process', recipient, metadata, processAndAnswer);
        result = await (isRpc ? traceHelper.traceBlock('send', recipient, parent, () => processing(undefined)) : processing(parent));
      } else {
        result = await run();
        if (replyTo !== undefined) this.replyResult(replyTo, result);
      }
      this.handled++;
      if (replyTo === undefined && result === NotHandled && channel !== null) events.unhandled(message, sender, channel, recipient);
      return 'ack';
    } catch (error) {
      // Another message's id refused would mean the save ran outside this message's turn: retried, not acked.
      if (error instanceof AlreadyCommittedError && error.messageId === messageId) {
        // A copy of a committed message ran again (its turn was not committed): done already.
        if (replyTo !== undefined) this.reply(replyTo, 'error', encodeError(alreadyHandled(fields.messageId, recipient, error.sameCall)));
        return 'ack';
      }
      const store = this.parts.store;
      const saved = activation?.registration !== undefined && activation.registration.persistence !== 'none';
      if (error instanceof FencedOutError || (store !== undefined && activation !== undefined && saved && !store.isLive(activation.id))) {
        // Its memory may hold a change that was never committed: drop the instance, and leave the
        // message to the agent's owner (this process again, with a fresh instance, or another).
        if (activation !== undefined) {
          store?.fenceOff(activation.id);
          void directory.deactivate(activation.id).catch(() => {});
        }
        if (error instanceof FencedOutError) return 'abandon';
        if (isStoreFault(error)) return 'retry';
        throw error; // retried
      }
      // A fault of the broker or the store met loading or saving the agent's state (a bucket
      // electing a leader): the turn committed nothing, so it is tried again once the broker is
      // back, uncounted, rather than answering the caller with a failure of the plumbing. The same
      // error thrown by the handler itself is the handler's failure, as on the local engine.
      if (isStoreFault(error)) return 'retry';
      this.handled++;
      if (replyTo !== undefined) {
        events.handlerException(message, recipient, error);
        this.reply(replyTo, 'error', encodeError(error));
        return 'ack';
      }
      events.publishFailure(message, recipient, error);
      this.parts.recordBackgroundError(error);
      throw error; // retried, then dead-lettered with this reason
    } finally {
      cleanup?.();
      this.active.delete(running);
      if (key !== undefined) this.running.delete(key);
    }
  }

  /**
   * Runs `work` as a turn of the agent's live instance, counted as busy while it waits (no idle
   * deactivation). An instance dropped while the turn waited (a turn before it failed) hands the
   * message to the next instance as a turn of its own there, entered here again: the runner's
   * hand-over would start it from another turn's end, in that turn's context, and its save would
   * record the other message's id or none (the message then lost, or applied twice).
   */
  private async inTurn(
    first: Activation,
    recipient: AgentId,
    chain: CallChain | undefined,
    work: (link: CallChain | undefined, activation: Activation) => Promise<unknown>,
    moved: (activation: Activation) => void,
  ): Promise<unknown> {
    const directory = this.parts.directory;
    let activation = first;
    directory.enter(activation);
    for (;;) {
      let gone = false;
      try {
        const current = activation;
        const result = await current.runTurn(chain, (link) => {
          if (!current.retired && !current.closing) return work(link, current);
          gone = true;
          return Promise.resolve(undefined);
        });
        if (!gone) return result;
      } finally {
        directory.leave(activation);
      }
      activation = await directory.enterLive(activation, recipient);
      moved(activation);
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
    h.set(H.reply, `ok ${headerValue(encoded.typeName)}`);
    if (encoded.contentType !== JSON_DATA_CONTENT_TYPE) h.set(H.contentType, encoded.contentType);
    try {
      this.parts.nc.publish(replyTo, encoded.data, { headers: h });
    } catch (error) {
      // Too large for the server's max_payload, most likely: the caller hears that instead.
      this.reply(replyTo, 'error', encodeError(error));
    }
  }

  private reply(replyTo: string, status: 'ok' | 'error', data: Uint8Array): void {
    const h = headers();
    h.set(H.reply, status);
    try {
      this.parts.nc.publish(replyTo, data, { headers: h });
    } catch {
      // Closed connection: the caller's deadline settles it.
    }
  }
}

/**
 * The answer to a call whose message id the agent already committed: for the same call
 * redelivered (its host stopped between commit and answer) the answer is lost, which the caller
 * hears at once as what its deadline would have told it; another call reusing the id is refused.
 */
function alreadyHandled(messageId: string, recipient: AgentId, sameCall: boolean): Error {
  if (sameCall) {
    return new DeliveryTimeoutError(
      `${recipient} handled this call (message id ${describeValue(messageId)}) and committed its turn, but its host stopped before answering: the answer is lost`,
    );
  }
  return new DuplicateMessageError(
    `${recipient} already handled a message with id ${describeValue(messageId)}: it is not handled twice, and its first answer is not kept`,
  );
}
