import type { MessageQueue } from '@agentopera/queue';
import type { AgentId } from '@agentopera/types';
import type { Activation } from './activation.js';
import { cancelledError, type DeliveryParts } from './delivery-parts.js';
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

  constructor(private readonly parts: DeliveryParts) {
    this.observed = new ObservedDelivery(parts);
  }

  /** Starts handling one envelope; never throws. */
  dispatch(envelope: MessageEnvelope, queue: EnvelopeQueue): void {
    const { interventionHandlers, events, traceHelper } = this.parts;
    const plain = interventionHandlers.length === 0 && !events.enabled && !traceHelper.enabled;
    const done = (): void => {
      envelope.unlinkCancellation?.();
      queue.taskDone();
    };
    if (envelope.kind === 'send') {
      if (plain) this.sendPlain(envelope, done);
      else this.observed.send(envelope).then(done, done);
    } else if (plain) {
      this.publishPlain(envelope, done);
    } else {
      this.observed.publish(envelope).then(done, done);
    }
  }

  private sendPlain(envelope: SendMessageEnvelope, done: () => void): void {
    if (envelope.settled) return done();
    const token = envelope.cancellationToken;
    if (token !== undefined && token.isCancelled()) {
      envelope.reject(cancelledError(token));
      return done();
    }
    const found = this.parts.directory.activationNow(envelope.recipient);
    if (found instanceof PendingActivation) {
      // Built asynchronously (stored state, room under the cap, an async builder): the delivery
      // goes on, on this same path, once the activation is live.
      found.onSettled(
        (activation) => this.sendTo(envelope, activation, done),
        (error) => this.sendFailed(envelope, error, done),
      );
      return;
    }
    this.sendTo(envelope, found, done);
  }

  private sendFailed(envelope: SendMessageEnvelope, error: unknown, done: () => void): void {
    this.parts.events.handlerException(envelope.message, envelope.recipient, error);
    envelope.reject(error);
    done();
  }

  private sendTo(envelope: SendMessageEnvelope, activation: Activation, done: () => void): void {
    const { directory, runner } = this.parts;
    const fail = (error: unknown): void => this.sendFailed(envelope, error, done);
    const ctx = new EngineMessageContext(envelope.sender, null, true, envelope);
    if (activation.registration?.direct === false || activation.closing || activation.retired) {
      runner.runThen(activation, envelope.recipient, envelope.message, ctx, envelope.chain, (response) => {
        envelope.resolve(response);
        done();
      }, fail);
      return;
    }
    directory.enter(activation);
    let result: Promise<unknown>;
    try {
      result = runner.callDirect(activation, envelope.recipient, envelope.message, ctx, envelope.chain);
    } catch (error) {
      directory.leave(activation);
      return fail(error);
    }
    Promise.resolve(result).then(
      (response) => {
        directory.leave(activation);
        envelope.resolve(response);
        done();
      },
      (error: unknown) => {
        directory.leave(activation);
        fail(error);
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
    const lookupFailed = (error: unknown): void => {
      events.unobserved(`a publish on ${envelope.channel.toString()} failed`, error);
      this.parts.recordBackgroundError(error);
      done();
    };
    if (manager.getSubscribedRecipientsNow === undefined) {
      manager.getSubscribedRecipients(envelope.channel).then((recipients) => this.deliverPlain(envelope, recipients, done), lookupFailed);
      return;
    }
    let recipients: readonly AgentId[];
    try {
      recipients = manager.getSubscribedRecipientsNow(envelope.channel);
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
    const settled = (): void => {
      if (--pending > 0) return;
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
      const activation = directory.activationNow(recipient);
      if (activation instanceof PendingActivation || activation.registration?.direct === false) {
        this.deliverOne(envelope, recipient, activation).then(settled, (error: unknown) => failed(index, error));
        continue;
      }
      const ctx = new EngineMessageContext(sender, envelope.channel, false, envelope);
      const fail = (error: unknown): void => {
        directory.leave(activation);
        events.publishFailure(envelope.message, recipient, error);
        failed(index, error);
      };
      directory.enter(activation);
      let result: Promise<unknown>;
      try {
        result = runner.callDirect(activation, recipient, envelope.message, ctx, undefined);
      } catch (error) {
        fail(error);
        continue;
      }
      Promise.resolve(result).then(() => {
        directory.leave(activation);
        settled();
      }, fail);
    }
    settled();
  }

  /** A delivery that cannot start synchronously: an activation under way, or a turn to wait for. */
  private deliverOne(envelope: PublishMessageEnvelope, recipient: AgentId, activation: Activation | PendingActivation): Promise<unknown> {
    return this.observed.deliverPublished(envelope, recipient, false, activation instanceof PendingActivation ? activation.promise() : Promise.resolve(activation));
  }
}
