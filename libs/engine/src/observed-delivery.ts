import { DeliveryStage, MessageKind, type InterventionStage } from '@agentopera/telemetry';
import { MessageDroppedError, NotHandled, type AgentId } from '@agentopera/types';
import type { Activation } from './activation.js';
import { cancelledError } from './call-options.js';
import type { DeliveryParts } from './delivery-parts.js';
import { EngineMessageContext } from './engine-message-context.js';
import type { PublishMessageEnvelope, SendMessageEnvelope } from './envelopes.js';
import { DropMessage, type InterventionHandler } from './intervention-handler.js';
import { intervene } from './interventions.js';

/** How a send ended, settled on its envelope only after every span of the delivery has ended. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * The general delivery path, for engines whose messages someone observes: intervention handlers,
 * spans (create → send → process → ack, each a child of the previous one, across agents) and
 * events. Every span a message opens ends before its caller's promise settles, so a caller that
 * awaits the result and then shuts its tracer provider down exports the whole trace.
 */
export class ObservedDelivery {
  constructor(private readonly parts: DeliveryParts) {}

  async send(envelope: SendMessageEnvelope): Promise<void> {
    // Cancelled while queued: the caller was rejected by the token's callback; never run the handler.
    if (envelope.settled) return;
    if (envelope.cancellationToken?.isCancelled()) {
      envelope.reject(cancelledError(envelope.cancellationToken));
      return;
    }
    const trace = this.parts.traceHelper;
    const tracing = trace.enabled;
    const work = (): Promise<Outcome> => this.handleSend(envelope, tracing);
    const outcome = await (tracing ? trace.traceBlock('send', envelope.recipient, envelope.metadata, work) : work());
    if (outcome.ok) envelope.resolve(outcome.value);
    else envelope.reject(outcome.error);
  }

  private async handleSend(envelope: SendMessageEnvelope, tracing: boolean): Promise<Outcome> {
    const { events, directory, runner, traceHelper } = this.parts;
    const recipient = envelope.recipient;
    const ctx = new EngineMessageContext(envelope.sender, null, true, envelope);
    try {
      const message = await this.intervene((handler, current) => handler.onSend(current, ctx, recipient), envelope.message, 'send');
      if (message === DropMessage) {
        events.dropped(envelope.message, envelope.sender, recipient, MessageKind.DIRECT);
        return { ok: false, error: new MessageDroppedError(`An intervention handler dropped the message to ${recipient}`) };
      }
      envelope.message = message;
      events.message(message, envelope.sender, recipient, MessageKind.DIRECT, DeliveryStage.DELIVER);
      const activation = await directory.activation(recipient);
      const call = async (): Promise<Outcome> => {
        const response = await runner.run(activation, recipient, message, ctx, envelope.chain);
        // The ack is traced inside the handler's span: create → send → process → ack.
        const ack = (): Promise<Outcome> => this.respond(response, envelope);
        return tracing ? traceHelper.traceBlock('ack', envelope.sender ?? `caller of ${recipient}`, undefined, ack) : ack();
      };
      return await (tracing ? traceHelper.traceBlock('process', recipient, undefined, call) : call());
    } catch (error) {
      events.handlerException(envelope.message, recipient, error);
      return { ok: false, error };
    }
  }

  /** Runs the response through `onResponse` interventions. */
  private async respond(response: unknown, request: SendMessageEnvelope): Promise<Outcome> {
    const { events } = this.parts;
    let message: unknown;
    try {
      message = await this.intervene((handler, current) => handler.onResponse(current, request.recipient, request.sender), response, 'response');
    } catch (error) {
      return { ok: false, error };
    }
    if (message === DropMessage) {
      events.dropped(response, request.recipient, request.sender, MessageKind.RESPOND);
      return { ok: false, error: new MessageDroppedError(`An intervention handler dropped the response of ${request.recipient}`) };
    }
    events.message(message, request.recipient, request.sender, MessageKind.RESPOND, DeliveryStage.DELIVER);
    return { ok: true, value: message };
  }

  async publish(envelope: PublishMessageEnvelope): Promise<void> {
    const { traceHelper, events } = this.parts;
    const tracing = traceHelper.enabled;
    const work = (): Promise<void> => this.handlePublish(envelope, tracing);
    try {
      await (tracing ? traceHelper.traceBlock('publish', envelope.channel, envelope.metadata, work) : work());
    } catch (error) {
      events.unobserved(`a publish on ${envelope.channel.toString()} failed`, error);
      this.parts.recordBackgroundError(error);
    }
  }

  private async handlePublish(envelope: PublishMessageEnvelope, tracing: boolean): Promise<void> {
    if (envelope.cancellationToken?.isCancelled()) return;
    const { events, subscriptionManager } = this.parts;
    const sender = envelope.sender;
    if (this.parts.interventionHandlers.length > 0) {
      const ctx = new EngineMessageContext(sender, envelope.channel, false, envelope);
      const message = await this.intervene((handler, current) => handler.onPublish(current, ctx), envelope.message, 'publish');
      if (message === DropMessage) {
        events.dropped(envelope.message, sender, envelope.channel, MessageKind.PUBLISH);
        return;
      }
      envelope.message = message;
    }
    const recipients = await subscriptionManager.getSubscribedRecipients(envelope.channel);
    const deliveries: Promise<unknown>[] = [];
    for (const recipient of recipients) {
      if (sender !== null && recipient.type === sender.type && recipient.key === sender.key) continue;
      deliveries.push(this.deliverPublished(envelope, recipient, tracing));
    }
    if (deliveries.length === 0) {
      // Nobody is subscribed (but the sender): say so, or the message vanishes unseen.
      events.unhandled(envelope.message, sender, envelope.channel, null);
      return;
    }
    const outcomes = await Promise.allSettled(deliveries);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        this.parts.recordBackgroundError(outcome.reason);
        break;
      }
    }
  }

  /** Delivers a published message to one recipient; rejects (after logging) when it fails. */
  async deliverPublished(envelope: PublishMessageEnvelope, recipient: AgentId, tracing: boolean, building?: Promise<Activation>): Promise<unknown> {
    const { events, directory, runner, traceHelper } = this.parts;
    events.message(envelope.message, envelope.sender, recipient, MessageKind.PUBLISH, DeliveryStage.DELIVER);
    try {
      const activation = await (building ?? directory.activation(recipient));
      const ctx = new EngineMessageContext(envelope.sender, envelope.channel, false, envelope);
      const call = (): Promise<unknown> => runner.run(activation, recipient, envelope.message, ctx, undefined);
      const result = await (tracing ? traceHelper.traceBlock('process', recipient, undefined, call) : call());
      if (result === NotHandled) events.unhandled(envelope.message, envelope.sender, envelope.channel, recipient);
      return result;
    } catch (error) {
      events.publishFailure(envelope.message, recipient, error);
      throw error;
    }
  }

  /** Runs one intervention stage through every handler in order; stops at the first drop. */
  private intervene(apply: (handler: InterventionHandler, message: unknown) => unknown, message: unknown, stage: InterventionStage): Promise<unknown> {
    const { interventionHandlers, traceHelper, events } = this.parts;
    return intervene(interventionHandlers, apply, message, stage, traceHelper, events);
  }
}
