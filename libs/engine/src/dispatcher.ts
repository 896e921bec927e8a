import type { MessageQueue } from '@agentopera/queue';
import { synchronousRecipients, type SynchronousRecipients } from '@agentopera/subscriptions';
import { CancellationToken, type Agent, type AgentId } from '@agentopera/types';
import { Activation } from './activation.js';
import type { DeliveryEpoch } from './bare-deliveries.js';
import { cancelledError } from './call-options.js';
import type { DeliveryParts } from './delivery-parts.js';
import { EngineMessageContext } from './engine-message-context.js';
import type { MessageEnvelope, PublishMessageEnvelope, SendMessageEnvelope } from './envelopes.js';
import { ObservedDelivery } from './observed-delivery.js';
import { PendingActivation } from './pending-activation.js';

type EnvelopeQueue = MessageQueue<MessageEnvelope>;

/**
 * Takes each envelope the run loop hands over and starts its delivery in its own task, so a slow
 * handler never blocks the queue. When nothing observes messages (no interventions, spans or
 * events) a direct agent's handler is started synchronously with no async layers in between;
 * anything else goes through `ObservedDelivery` and, for serial or per-turn-persisted agents,
 * through the `HandlerRunner`'s turns. `queue.taskDone()` is called once per envelope when its
 * whole delivery has finished, which is what `stopWhenIdle()` waits for.
 */
export class Dispatcher {
  private readonly observed: ObservedDelivery;
  /**
   * Envelopes being delivered to activations (a bare agent's delivery is not listed: it has no
   * state for stop() to wait on, and the plain send path stays free of the bookkeeping): whose
   * handlers `cancelRunning` reaches.
   */
  private readonly running = new Set<MessageEnvelope>();

  /** The subscription manager's synchronous lookup, if it offers one (looked up once, not per publish). */
  private readonly recipientsNow: SynchronousRecipients | undefined;

  constructor(private readonly parts: DeliveryParts) {
    this.observed = new ObservedDelivery(parts);
    this.recipientsNow = synchronousRecipients(parts.subscriptionManager);
  }

  /**
   * Cancels the token of every message still being handled (made now for one whose handler has not
   * read it yet), with `reason`; a send's caller is answered with `CancelledError` at once, since
   * its handler may never end. For `stop({ signal })` / `close({ signal })` on abort.
   */
  cancelRunning(reason: unknown): void {
    for (const envelope of [...this.running]) {
      const token = (envelope.cancellationToken ??= new CancellationToken());
      token.cancel(reason);
      if (envelope.kind === 'send') envelope.reject(cancelledError(token));
    }
  }

  /** Starts handling one envelope; never throws. */
  dispatch(envelope: MessageEnvelope, queue: EnvelopeQueue): void {
    const { interventionHandlers, events, traceHelper } = this.parts;
    const plain = interventionHandlers.length === 0 && !events.enabled && !traceHelper.enabled;
    // The send fast path settles through `finish` without a closure of its own per message.
    if (plain && envelope.kind === 'send') return this.sendPlain(envelope, queue);
    this.running.add(envelope);
    const done = (): void => this.finish(envelope, queue);
    if (envelope.kind === 'send') this.observed.send(envelope).then(done, done);
    else if (plain) this.publishPlain(envelope, done);
    else this.observed.publish(envelope).then(done, done);
  }

  /** One envelope's whole delivery has ended: `stopWhenIdle()` counts on one `taskDone()` per envelope. */
  private finish(envelope: MessageEnvelope, queue: EnvelopeQueue): void {
    if (this.running.size !== 0) this.running.delete(envelope);
    envelope.unlinkCancellation?.();
    queue.taskDone();
  }

  private sendPlain(envelope: SendMessageEnvelope, queue: EnvelopeQueue): void {
    if (envelope.settled) return this.finish(envelope, queue);
    const token = envelope.cancellationToken;
    if (token !== undefined && token.isCancelled()) {
      envelope.reject(cancelledError(token));
      return this.finish(envelope, queue);
    }
    const directory = this.parts.directory;
    const recipient = envelope.recipient;
    const key = recipient.toString();
    // The live entry first, checked here: a bare agent (the common case) costs one type check.
    const entry = directory.liveEntry(key);
    if (entry !== undefined && !(entry instanceof Activation)) return this.sendToBare(envelope, entry, queue);
    const found = entry === undefined ? directory.entryWhenAbsent(recipient, key) : entry.closing ? directory.activationNow(recipient) : entry;
    if (found instanceof Activation) {
      this.running.add(envelope);
      return this.sendTo(envelope, found, queue);
    }
    if (!(found instanceof PendingActivation)) return this.sendToBare(envelope, found, queue);
    this.running.add(envelope);
    // Built asynchronously (stored state, room under the cap, an async builder): the delivery
    // goes on, on this same path, once the activation is live.
    found.onSettled(
      (activation) => this.sendTo(envelope, activation, queue),
      (error) => this.sendFailed(envelope, error, queue),
    );
  }

  /** A send to a bare agent: the handler, counted in the directory's current delivery epoch. */
  private sendToBare(envelope: SendMessageEnvelope, agent: Agent, queue: EnvelopeQueue): void {
    const ctx = new EngineMessageContext(envelope.sender, null, true, envelope);
    const epoch = this.parts.directory.startBare();
    let result: Promise<unknown>;
    try {
      result = this.parts.runner.callAgent(agent, envelope.recipient, envelope.message, ctx, envelope.chain);
    } catch (error) {
      epoch.finish();
      return this.sendFailed(envelope, error, queue);
    }
    Promise.resolve(result).then(
      (response) => {
        epoch.finish();
        envelope.resolve(response);
        this.finish(envelope, queue);
      },
      (error: unknown) => {
        epoch.finish();
        this.sendFailed(envelope, error, queue);
      },
    );
  }

  private sendFailed(envelope: SendMessageEnvelope, error: unknown, queue: EnvelopeQueue): void {
    this.parts.events.handlerException(envelope.message, envelope.recipient, error);
    envelope.reject(error);
    this.finish(envelope, queue);
  }

  private sendTo(envelope: SendMessageEnvelope, activation: Activation, queue: EnvelopeQueue): void {
    const { directory, runner } = this.parts;
    const ctx = new EngineMessageContext(envelope.sender, null, true, envelope);
    if (activation.registration?.direct === false || activation.closing || activation.retired) {
      runner.runThen(
        activation,
        envelope.recipient,
        envelope.message,
        ctx,
        envelope.chain,
        (response) => {
          envelope.resolve(response);
          this.finish(envelope, queue);
        },
        (error) => this.sendFailed(envelope, error, queue),
      );
      return;
    }
    directory.enter(activation);
    let result: Promise<unknown>;
    try {
      result = runner.callDirect(activation, envelope.recipient, envelope.message, ctx, envelope.chain);
    } catch (error) {
      directory.leave(activation);
      return this.sendFailed(envelope, error, queue);
    }
    Promise.resolve(result).then(
      (response) => {
        directory.leave(activation);
        envelope.resolve(response);
        this.finish(envelope, queue);
      },
      (error: unknown) => {
        directory.leave(activation);
        this.sendFailed(envelope, error, queue);
      },
    );
  }

  /**
   * Every delivery of a publish started synchronously, and the first failure in recipient order
   * recorded once all have settled (as `Promise.allSettled` would).
   */
  private publishPlain(envelope: PublishMessageEnvelope, done: () => void): void {
    if (envelope.cancellationToken?.isCancelled()) return done();
    const { subscriptionManager: manager, events } = this.parts;
    const lookUpNow = this.recipientsNow;
    const lookupFailed = (error: unknown): void => {
      events.unobserved(`a publish on ${envelope.channel.toString()} failed`, error);
      this.parts.recordBackgroundError(error);
      done();
    };
    if (lookUpNow === undefined) {
      manager.getSubscribedRecipients(envelope.channel).then((recipients) => this.deliverPlain(envelope, recipients, done), lookupFailed);
      return;
    }
    let recipients: readonly AgentId[];
    try {
      recipients = lookUpNow(envelope.channel);
    } catch (error) {
      return lookupFailed(error);
    }
    this.deliverPlain(envelope, recipients, done);
  }

  private deliverPlain(envelope: PublishMessageEnvelope, recipients: readonly AgentId[], done: () => void): void {
    const { directory, runner, events } = this.parts;
    const sender = envelope.sender;
    let pending = 1; // held until every delivery has started
    let failures: Map<number, unknown> | undefined;
    // Each recipient counts as busy until the whole publish has been handled: no closure per
    // delivery to leave each one as it ends. Bare recipients are counted in their delivery epoch,
    // which only changes when a bare agent is promoted (rare): one count for all of them.
    let entered: Activation[] | undefined;
    let bareEpoch: DeliveryEpoch | undefined;
    let bareCount = 0;
    let otherEpochs: DeliveryEpoch[] | undefined;
    const settled = (): void => {
      if (--pending > 0) return;
      if (entered !== undefined) for (const activation of entered) directory.leave(activation);
      bareEpoch?.finish(bareCount);
      if (otherEpochs !== undefined) for (const epoch of otherEpochs) epoch.finish(1);
      if (failures !== undefined) this.parts.recordBackgroundError(failures.get(Math.min(...failures.keys())));
      done();
    };
    const failed = (index: number, error: unknown): void => {
      (failures ??= new Map()).set(index, error);
      settled();
    };
    for (let index = 0; index < recipients.length; index++) {
      const recipient = recipients[index];
      if (sender !== null && recipient.type === sender.type && recipient.key === sender.key) continue;
      pending++;
      const found = directory.entryNow(recipient);
      let agent: Agent;
      if (found instanceof Activation) {
        if (found.registration?.direct === false) {
          this.deliverOne(envelope, recipient, found).then(settled, (error: unknown) => failed(index, error));
          continue;
        }
        directory.enter(found);
        (entered ??= []).push(found);
        agent = found.agent;
      } else if (found instanceof PendingActivation) {
        this.deliverOne(envelope, recipient, found).then(settled, (error: unknown) => failed(index, error));
        continue;
      } else {
        const epoch = directory.startBare();
        if (bareEpoch === undefined || epoch === bareEpoch) {
          bareEpoch = epoch;
          bareCount++;
        } else {
          (otherEpochs ??= []).push(epoch);
        }
        agent = found;
      }
      const ctx = new EngineMessageContext(sender, envelope.channel, false, envelope);
      const fail = (error: unknown): void => {
        events.publishFailure(envelope.message, recipient, error);
        failed(index, error);
      };
      let result: Promise<unknown>;
      try {
        result = runner.callAgent(agent, recipient, envelope.message, ctx, undefined);
      } catch (error) {
        fail(error);
        continue;
      }
      Promise.resolve(result).then(settled, fail);
    }
    settled();
  }

  /** A delivery that cannot start synchronously: an activation under way, or a turn to wait for. */
  private deliverOne(envelope: PublishMessageEnvelope, recipient: AgentId, activation: Activation | PendingActivation): Promise<unknown> {
    return this.observed.deliverPublished(envelope, recipient, false, activation instanceof PendingActivation ? activation.promise() : Promise.resolve(activation));
  }
}


