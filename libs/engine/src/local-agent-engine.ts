import { AsyncResource } from 'node:async_hooks';
import { AsyncQueue, QueueShutDownError, type MessageQueue } from '@agentopera/queue';
import {
  DefaultSerializationRegistry,
  type MessageSerializer,
  type SerializationRegistry,
} from '@agentopera/serialization';
import { DefaultSubscriptionManager, type SubscriptionManager } from '@agentopera/subscriptions';
import {
  DeliveryStage,
  MessageEngineTracingConfig,
  MessageKind,
  TraceHelper,
  type EnvelopeMetadata,
  type InterventionStage,
} from '@agentopera/telemetry';
import {
  AgentId,
  AgentInstantiationContext,
  AgentNotFoundError,
  AgentType,
  CancelledError,
  EngineStateError,
  EngineStoppedError,
  InvalidStateError,
  MessageChannel,
  MessageDroppedError,
  MessageHandlerContext,
  describeValue,
  type Agent,
  type AgentBuilder,
  type AgentClass,
  type AgentEngine,
  type AgentMetadata,
  type AgentState,
  type EngineState,
  type GetAgentOptions,
  type InferResponse,
  type RegisterAgentBuilderOptions,
  type SendableMessage,
  type SendMessageResult,
  type SendOptions,
  type Subscription,
} from '@agentopera/types';
import { EngineEventLog } from './engine-event-log.js';
import { EngineMessageContext } from './engine-message-context.js';
import {
  PublishMessageEnvelope,
  ResponseMessageEnvelope,
  SendMessageEnvelope,
  type MessageEnvelope,
} from './envelopes.js';
import { DropMessage, type InterventionHandler } from './intervention-handler.js';
import type { LocalAgentEngineOptions } from './local-agent-engine-options.js';
import { RunContext } from './run-context.js';
import { isPlainObject, parseEngineState } from './engine-state.js';

type EnvelopeQueue = MessageQueue<MessageEnvelope>;

/**
 * An embedded, single-process agent engine: one queue, each message handled in its own async task
 * (a slow handler does not block others), agents built lazily on their first message.
 *
 * Beyond the Python original it is modelled on: every `sendMessage` promise settles (stop,
 * missing recipients, failing builders, interventions and cancellation all reach the caller),
 * `stopWhenIdle()` cannot hang on failures, and logging costs nothing unless enabled.
 */
export class LocalAgentEngine implements AgentEngine {
  private readonly queueFactory: (() => EnvelopeQueue) | undefined;
  private queue: EnvelopeQueue;
  private readonly builders = new Map<string, AgentRegistration>();
  /** Types registered through `registerAgentInstance` (their agents cannot be built lazily). */
  private readonly instanceTypes = new Set<string>();
  /** The class of each such type's instances: all instances of one type share it, as in autogen. */
  private readonly instanceClasses = new Map<string, unknown>();
  private readonly instances = new Map<string, Agent>();
  private readonly pendingBuilds = new Map<string, Promise<Agent>>();
  private readonly subscriptionManager: SubscriptionManager;
  private readonly serializationRegistry: SerializationRegistry;
  private readonly interventionHandlers: readonly InterventionHandler[];
  private readonly events: EngineEventLog;
  private readonly traceHelper: TraceHelper;
  private readonly ignoreUnhandledExceptions: boolean;
  private backgroundError: { error: unknown } | undefined = undefined;
  private onBackgroundError: (() => void) | undefined = undefined;
  private run: RunContext | undefined = undefined;
  /**
   * Handler scopes captured in the current run loop's context, by recipient (Node ≥ 24 only, where
   * entering a scope anew costs two context frames). Only the run loop dispatches while it is set,
   * and its context never changes, so a captured scope is exactly the one `populateContext` would
   * enter. Bounded: cleared when full.
   */
  private handlerScopes: Map<string, { readonly id: AgentId; readonly scope: AsyncResource }> | undefined = undefined;
  /**
   * Recipients seen once since the scope cache last filled: a scope is captured only on an agent's
   * second message, so agents that get one message (lazy fan-out to many keys) never pay for one.
   */
  private seenRecipients: Set<string> | undefined = undefined;

  constructor(options: LocalAgentEngineOptions = {}) {
    const queue = options.queue;
    if (typeof queue === 'function') {
      this.queueFactory = queue;
      this.queue = queue();
    } else if (queue !== undefined) {
      this.queueFactory = undefined;
      this.queue = queue;
    } else {
      this.queueFactory = () => new AsyncQueue<MessageEnvelope>();
      this.queue = this.queueFactory();
    }
    this.subscriptionManager = options.subscriptionManager ?? new DefaultSubscriptionManager();
    this.serializationRegistry = options.serializationRegistry ?? new DefaultSerializationRegistry();
    this.interventionHandlers = [...(options.interventionHandlers ?? [])];
    this.ignoreUnhandledExceptions = options.ignoreUnhandledExceptions ?? true;
    this.events = new EngineEventLog(
      options.eventLogger,
      this.serializationRegistry,
      options.eventLogger === undefined && this.ignoreUnhandledExceptions,
    );
    this.traceHelper = new TraceHelper(options.tracerProvider, new MessageEngineTracingConfig('LocalAgentEngine'));
  }

  /** Messages waiting in the queue (not those being handled). */
  get unprocessedMessagesCount(): number {
    return this.queue.qsize();
  }

  // ---------------------------------------------------------------- messaging

  sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options: SendOptions = NO_OPTIONS,
  ): Promise<SendMessageResult<R, M>> {
    if (!(recipient instanceof AgentId)) {
      return Promise.reject(new TypeError(`sendMessage needs an AgentId as recipient, got ${describeValue(recipient)}`));
    }
    const token = options.cancellationToken;
    if (token?.isCancelled()) return Promise.reject(new CancelledError('The send was cancelled before it was made'));
    if (!this.isKnownRecipient(recipient)) {
      return Promise.reject(this.notFound(recipient));
    }
    const sender = options.sender ?? null;
    this.events.message(message, sender, recipient, MessageKind.DIRECT, DeliveryStage.SEND);
    const messageId = options.messageId;
    return new Promise<SendMessageResult<R, M>>((resolve, reject) => {
      const settle = resolve as (value: unknown) => void;
      // Untraced (the common case): no closure beyond the promise's own executor.
      if (!this.traceHelper.enabled) {
        this.enqueueSend(new SendMessageEnvelope(message, sender, recipient, settle, reject, token, messageId, undefined));
        return;
      }
      this.traceCreate(recipient, message, (metadata) =>
        this.enqueueSend(new SendMessageEnvelope(message, sender, recipient, settle, reject, token, messageId, metadata)),
      );
    });
  }

  /** The `create` span of a send or publish; `enqueue` runs inside it with the span's context. */
  private traceCreate(destination: AgentId | MessageChannel, message: unknown, enqueue: (metadata: EnvelopeMetadata | undefined) => void): void {
    this.traceHelper.traceBlock('create', destination, undefined, () => enqueue(this.traceHelper.captureMetadata()), {
      extraAttributes: { message_type: messageTypeName(message) },
    });
  }

  private enqueueSend(envelope: SendMessageEnvelope): void {
    const token = envelope.cancellationToken;
    if (token !== undefined) {
      envelope.unlinkCancellation = token.addCallback(() => envelope.reject(new CancelledError()));
    }
    this.enqueue(envelope);
  }

  publishMessage(message: unknown, channel: MessageChannel, options: SendOptions = NO_OPTIONS): Promise<void> {
    if (!(channel instanceof MessageChannel)) {
      return Promise.reject(
        new TypeError(`publishMessage needs a MessageChannel, got ${describeValue(channel)}`),
      );
    }
    const token = options.cancellationToken;
    if (token?.isCancelled()) return Promise.reject(new CancelledError('The publish was cancelled before it was made'));
    const sender = options.sender ?? null;
    this.events.message(message, sender, channel, MessageKind.PUBLISH, DeliveryStage.SEND);
    const messageId = options.messageId;
    return new Promise<void>((resolve, reject) => {
      if (!this.traceHelper.enabled) {
        this.enqueue(new PublishMessageEnvelope(message, sender, channel, token, messageId, undefined), resolve, reject);
        return;
      }
      this.traceCreate(channel, message, (metadata) =>
        this.enqueue(new PublishMessageEnvelope(message, sender, channel, token, messageId, metadata), resolve, reject),
      );
    });
  }

  /** Puts without a promise while there is room; waits (backpressure) only on a full bounded queue. */
  private enqueue(envelope: MessageEnvelope, onQueued?: () => void, onPublishError?: (error: unknown) => void): void {
    const queue = this.queue;
    try {
      if (!queue.full()) {
        queue.putNowait(envelope);
        this.run?.notify();
        onQueued?.();
        return;
      }
    } catch (error) {
      failEnqueue(envelope, onPublishError, error);
      return;
    }
    queue.put(envelope).then(
      () => {
        this.run?.notify();
        onQueued?.();
      },
      (error: unknown) => failEnqueue(envelope, onPublishError, error),
    );
  }

  // ---------------------------------------------------------------- dispatch

  /** Starts handling one envelope in its own task; never throws. */
  private dispatch(envelope: MessageEnvelope, queue: EnvelopeQueue): void {
    // Nothing observes the message between queue and handler (no interventions, spans or events):
    // skip the async layers of the general path, each of which costs promises on every message.
    const plain = this.interventionHandlers.length === 0 && !this.events.enabled && !this.traceHelper.enabled;
    if (envelope.kind === 'send') {
      if (plain) this.dispatchPlainSend(envelope, queue);
      else this.processSend(envelope).then(() => queue.taskDone(), () => queue.taskDone());
    } else if (plain) {
      this.dispatchPlainPublish(envelope, queue);
    } else {
      this.processPublish(envelope).then(() => queue.taskDone(), () => queue.taskDone());
    }
  }

  /** `processSend` for a plain engine with the handler started synchronously and settled by `.then`. */
  private dispatchPlainSend(envelope: SendMessageEnvelope, queue: EnvelopeQueue): void {
    if (envelope.settled) {
      queue.taskDone();
      return;
    }
    if (envelope.cancellationToken?.isCancelled()) {
      envelope.reject(new CancelledError());
      queue.taskDone();
      return;
    }
    const recipient = envelope.recipient;
    const agent = this.instances.get(recipient.toString()) ?? this.agentNow(recipient);
    if (agent instanceof Promise) {
      // Built asynchronously (or failed to build): the general path awaits that same build.
      this.handleSend(envelope, false, agent).then(() => queue.taskDone(), () => queue.taskDone());
      return;
    }
    const ctx = new EngineMessageContext(envelope.sender, null, true, envelope);
    let result: unknown;
    try {
      result = this.runHandler(recipient, agent, envelope.message, ctx);
    } catch (error) {
      this.failSend(envelope, error);
      queue.taskDone();
      return;
    }
    Promise.resolve(result).then(
      (response) => {
        envelope.resolve(response);
        queue.taskDone();
      },
      (error: unknown) => {
        this.failSend(envelope, error);
        queue.taskDone();
      },
    );
  }

  /** Calls the handler inside its `MessageHandlerContext`, through a cached scope when there is one. */
  private runHandler(recipient: AgentId, agent: Agent, message: unknown, ctx: EngineMessageContext): unknown {
    const scopes = this.handlerScopes;
    if (scopes === undefined) return MessageHandlerContext.populateContext(recipient, callHandler, agent, message, ctx);
    const key = recipient.toString();
    let entry = scopes.get(key);
    if (entry === undefined || entry.id !== recipient) {
      const seen = (this.seenRecipients ??= new Set());
      if (!seen.has(key)) {
        if (seen.size >= HANDLER_SCOPE_CACHE_SIZE) seen.clear();
        seen.add(key);
        return MessageHandlerContext.populateContext(recipient, callHandler, agent, message, ctx);
      }
      if (scopes.size >= HANDLER_SCOPE_CACHE_SIZE) scopes.clear();
      // Keyed by the id object too: the handler must see the very AgentId it was sent to.
      entry = { id: recipient, scope: MessageHandlerContext.captureScope(recipient) };
      scopes.set(key, entry);
    }
    return entry.scope.runInAsyncScope(callHandler, undefined, agent, message, ctx);
  }

  private failSend(envelope: SendMessageEnvelope, error: unknown): void {
    this.events.handlerException(envelope.message, envelope.recipient, error);
    envelope.reject(error);
  }

  /**
   * `processPublish` for a plain engine: every delivery started synchronously, and the first
   * failure in recipient order recorded once all have settled (as `Promise.allSettled` would).
   */
  private dispatchPlainPublish(envelope: PublishMessageEnvelope, queue: EnvelopeQueue): void {
    if (envelope.cancellationToken?.isCancelled()) {
      queue.taskDone();
      return;
    }
    const manager = this.subscriptionManager;
    const lookupFailed = (error: unknown): void => {
      this.events.unobserved(`a publish on ${envelope.channel.toString()} failed`, error);
      this.recordBackgroundError(error);
      queue.taskDone();
    };
    if (manager.getSubscribedRecipientsNow === undefined) {
      manager.getSubscribedRecipients(envelope.channel).then((recipients) => this.deliverPlain(envelope, recipients, queue), lookupFailed);
      return;
    }
    let recipients: readonly AgentId[];
    try {
      recipients = manager.getSubscribedRecipientsNow(envelope.channel);
    } catch (error) {
      lookupFailed(error);
      return;
    }
    this.deliverPlain(envelope, recipients, queue);
  }

  private deliverPlain(envelope: PublishMessageEnvelope, recipients: readonly AgentId[], queue: EnvelopeQueue): void {
    const sender = envelope.sender;
    let pending = 1; // held until every delivery has started
    let failures: Map<number, unknown> | undefined;
    const settled = (): void => {
      if (--pending > 0) return;
      if (failures !== undefined) this.recordBackgroundError(failures.get(Math.min(...failures.keys())));
      queue.taskDone();
    };
    const failed = (index: number, error: unknown): void => {
      (failures ??= new Map()).set(index, error);
      settled();
    };
    for (let index = 0; index < recipients.length; index++) {
      const recipient = recipients[index];
      if (sender !== null && recipient.type === sender.type && recipient.key === sender.key) continue;
      pending++;
      const agent = this.instances.get(recipient.toString()) ?? this.agentNow(recipient);
      if (agent instanceof Promise) {
        // Being built asynchronously, or its builder failed: the general path awaits that build.
        this.deliverPublished(envelope, recipient, false, agent).then(settled, (error: unknown) => failed(index, error));
        continue;
      }
      const ctx = new EngineMessageContext(sender, envelope.channel, false, envelope);
      const fail = (error: unknown): void => {
        this.events.publishFailure(envelope.message, recipient, error);
        failed(index, error);
      };
      let result: unknown;
      try {
        result = this.runHandler(recipient, agent, envelope.message, ctx);
      } catch (error) {
        fail(error);
        continue;
      }
      Promise.resolve(result).then(settled, fail);
    }
    settled();
  }

  private async processSend(envelope: SendMessageEnvelope): Promise<void> {
    // Cancelled while queued: the caller was rejected by the token's callback; never run the handler.
    if (envelope.settled) return;
    if (envelope.cancellationToken?.isCancelled()) {
      envelope.reject(new CancelledError());
      return;
    }
    const tracing = this.traceHelper.enabled;
    const work = (): Promise<void> => this.handleSend(envelope, tracing);
    await (tracing ? this.traceHelper.traceBlock('send', envelope.recipient, envelope.metadata, work) : work());
  }

  private async handleSend(envelope: SendMessageEnvelope, tracing: boolean, building?: Promise<Agent>): Promise<void> {
    const recipient = envelope.recipient;
    const ctx = new EngineMessageContext(envelope.sender, null, true, envelope);
    try {
      if (this.interventionHandlers.length > 0) {
        const message = await this.intervene(
          (handler, current) => handler.onSend(current, ctx, recipient),
          envelope.message,
          'send',
        );
        if (message === DropMessage) {
          this.events.dropped(envelope.message, envelope.sender, recipient, MessageKind.DIRECT);
          envelope.reject(new MessageDroppedError(`An intervention handler dropped the message to ${recipient}`));
          return;
        }
        envelope.message = message;
      }
      this.events.message(envelope.message, envelope.sender, recipient, MessageKind.DIRECT, DeliveryStage.DELIVER);
      const agent = this.instances.get(recipient.toString()) ?? (await (building ?? this.getAgent(recipient)));
      const call = async (): Promise<void> => {
        const response = await MessageHandlerContext.populateContext(recipient, () => agent.onMessage(envelope.message, ctx));
        // The ack is traced inside the handler's span: create -> send -> process -> ack.
        const reply = new ResponseMessageEnvelope(
          response,
          recipient,
          envelope.sender,
          envelope,
          tracing ? this.traceHelper.captureMetadata() : undefined,
        );
        const settle = (): Promise<void> => this.processResponse(reply);
        await (tracing ? this.traceHelper.traceBlock('ack', envelope.sender, reply.metadata, settle) : settle());
      };
      await (tracing ? this.traceHelper.traceBlock('process', recipient, undefined, call) : call());
    } catch (error) {
      this.events.handlerException(envelope.message, recipient, error);
      envelope.reject(error);
    }
  }

  private async processResponse(reply: ResponseMessageEnvelope): Promise<void> {
    const request = reply.request;
    try {
      if (this.interventionHandlers.length > 0) {
        const message = await this.intervene(
          (handler, current) => handler.onResponse(current, reply.sender, reply.recipient),
          reply.message,
          'response',
        );
        if (message === DropMessage) {
          this.events.dropped(reply.message, reply.sender, reply.recipient, MessageKind.RESPOND);
          request.reject(new MessageDroppedError(`An intervention handler dropped the response of ${reply.sender}`));
          return;
        }
        reply.message = message;
      }
    } catch (error) {
      request.reject(error);
      return;
    }
    this.events.message(reply.message, reply.sender, reply.recipient, MessageKind.RESPOND, DeliveryStage.DELIVER);
    request.resolve(reply.message);
  }

  private async processPublish(envelope: PublishMessageEnvelope): Promise<void> {
    const tracing = this.traceHelper.enabled;
    const work = (): Promise<void> => this.handlePublish(envelope, tracing);
    try {
      await (tracing ? this.traceHelper.traceBlock('publish', envelope.channel, envelope.metadata, work) : work());
    } catch (error) {
      this.events.unobserved(`a publish on ${envelope.channel.toString()} failed`, error);
      this.recordBackgroundError(error);
    }
  }

  private async handlePublish(envelope: PublishMessageEnvelope, tracing: boolean): Promise<void> {
    if (envelope.cancellationToken?.isCancelled()) return;
    const sender = envelope.sender;
    if (this.interventionHandlers.length > 0) {
      const ctx = new EngineMessageContext(sender, envelope.channel, false, envelope);
      const message = await this.intervene((handler, current) => handler.onPublish(current, ctx), envelope.message, 'publish');
      if (message === DropMessage) {
        this.events.dropped(envelope.message, sender, envelope.channel, MessageKind.PUBLISH);
        return;
      }
      envelope.message = message;
    }
    const recipients = await this.subscriptionManager.getSubscribedRecipients(envelope.channel);
    const deliveries: Promise<unknown>[] = [];
    for (const recipient of recipients) {
      if (sender !== null && recipient.type === sender.type && recipient.key === sender.key) continue;
      deliveries.push(this.deliverPublished(envelope, recipient, tracing));
    }
    if (deliveries.length === 0) return;
    const outcomes = await Promise.allSettled(deliveries);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        this.recordBackgroundError(outcome.reason);
        break;
      }
    }
  }

  private async deliverPublished(
    envelope: PublishMessageEnvelope,
    recipient: AgentId,
    tracing: boolean,
    building?: Promise<Agent>,
  ): Promise<unknown> {
    this.events.message(envelope.message, envelope.sender, recipient, MessageKind.PUBLISH, DeliveryStage.DELIVER);
    try {
      const agent = this.instances.get(recipient.toString()) ?? (await (building ?? this.getAgent(recipient)));
      const ctx = new EngineMessageContext(envelope.sender, envelope.channel, false, envelope);
      const call = (): Promise<unknown> =>
        MessageHandlerContext.populateContext(recipient, () => agent.onMessage(envelope.message, ctx));
      return await (tracing ? this.traceHelper.traceBlock('process', recipient, undefined, call) : call());
    } catch (error) {
      this.events.publishFailure(envelope.message, recipient, error);
      throw error;
    }
  }

  /** Runs one intervention stage through every handler in order; stops at the first drop. */
  private async intervene(
    apply: (handler: InterventionHandler, message: unknown) => unknown,
    message: unknown,
    stage: InterventionStage,
  ): Promise<unknown> {
    let current = message;
    for (const handler of this.interventionHandlers) {
      const step = async (): Promise<unknown> => apply(handler, current);
      try {
        current = await (this.traceHelper.enabled
          ? this.traceHelper.traceBlock('intercept', handler.constructor.name, undefined, step, {
              extraAttributes: { 'agentopera.intervention.stage': stage },
            })
          : step());
      } catch (exception) {
        // For a publish this event is the only trace of the failure: no agent handled it.
        this.events.interventionException(current, stage, handler.constructor.name, exception);
        throw exception;
      }
      if (current === DropMessage) return DropMessage;
    }
    return current;
  }

  private recordBackgroundError(error: unknown): void {
    if (this.ignoreUnhandledExceptions || this.backgroundError !== undefined) return;
    this.backgroundError = { error };
    this.onBackgroundError?.();
  }

  /** Throws (and clears) the error recorded by a background handler, if any. */
  private rethrowBackgroundError(): void {
    const recorded = this.backgroundError;
    if (recorded === undefined) return;
    this.backgroundError = undefined;
    throw recorded.error;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the processing loop in the background. */
  start(): void {
    if (this.run !== undefined) throw new EngineStateError('The engine is already started');
    if (this.queueIsDead) {
      throw new EngineStateError(
        'The engine was given a queue instance, which cannot be reused after stop(); pass a queue factory (() => queue) to restart it',
      );
    }
    this.handlerScopes = CACHE_HANDLER_SCOPES ? new Map() : undefined;
    this.seenRecipients = undefined;
    this.run = new RunContext(this.queue, (envelope, queue) => this.dispatch(envelope, queue));
  }

  /** Processes one queued message (for manual stepping without `start()`). */
  async processNext(): Promise<void> {
    if (this.run !== undefined) {
      throw new EngineStateError('processNext() steps an engine by hand; it cannot be used while start() is running');
    }
    this.rethrowBackgroundError();
    const queue = this.queue;
    let envelope: MessageEnvelope;
    try {
      envelope = await queue.get();
    } catch (error) {
      if (error instanceof QueueShutDownError) return;
      throw error;
    }
    this.dispatch(envelope, queue);
  }

  /**
   * Stops at once: handlers already running finish (their callers get their results), every
   * message still queued is discarded and each discarded `sendMessage` rejects with
   * `EngineStoppedError`.
   */
  async stop(): Promise<void> {
    const run = this.requireRun('stop');
    this.shutdownRun(run);
    await run.finished;
    this.rethrowBackgroundError();
  }

  /** Stops once nothing is queued or being handled (or once a background error surfaces). */
  async stopWhenIdle(): Promise<void> {
    const run = this.requireRun('stopWhenIdle');
    if (this.backgroundError === undefined) {
      await new Promise<void>((resolve) => {
        this.onBackgroundError = resolve;
        run.queue.join().then(resolve, resolve);
      });
      this.onBackgroundError = undefined;
    }
    if (this.run === run) this.shutdownRun(run);
    await run.finished;
    this.rethrowBackgroundError();
  }

  /** Stops once `condition()` returns true, checking every `checkPeriodMs` milliseconds. */
  async stopWhen(condition: () => boolean, checkPeriodMs = 1000): Promise<void> {
    if (typeof condition !== 'function') {
      throw new TypeError(`stopWhen needs a condition function, got ${describeValue(condition)}`);
    }
    const run = this.requireRun('stopWhen');
    while (!condition()) {
      if (this.run !== run) return; // stopped by someone else meanwhile
      await new Promise((resolve) => setTimeout(resolve, checkPeriodMs));
    }
    if (this.run === run) await this.stop();
  }

  /** Stops if running, then closes every instantiated agent (all of them, even if some throw). */
  async close(): Promise<void> {
    if (this.run !== undefined) await this.stop();
    const errors: unknown[] = [];
    for (const agent of this.instances.values()) {
      try {
        await agent.close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} agents failed to close`);
  }

  private get queueIsDead(): boolean {
    return this.queueFactory === undefined && this.stoppedOnce;
  }

  private stoppedOnce = false;

  private requireRun(method: string): RunContext {
    if (this.run === undefined) throw new EngineStateError(`${method}() was called but the engine is not started`);
    return this.run;
  }

  private shutdownRun(run: RunContext): void {
    this.run = undefined;
    this.handlerScopes = undefined;
    this.stoppedOnce = true;
    const queue = run.queue;
    // Non-immediate shutdown first: waiting producers fail (their sends reject below via
    // stoppedIfShutDown), then whatever is still queued is drained here so each caller hears of it.
    queue.shutdown(false);
    run.close();
    for (;;) {
      let envelope: MessageEnvelope;
      try {
        envelope = queue.getNowait();
      } catch {
        break;
      }
      this.discard(envelope, queue);
    }
    queue.shutdown(true);
    if (this.queueFactory !== undefined) this.queue = this.queueFactory();
  }

  /** Settles a queued envelope that will never be handled because the engine stopped. */
  private discard(envelope: MessageEnvelope, queue: EnvelopeQueue): void {
    if (envelope.kind === 'send') {
      envelope.reject(new EngineStoppedError(`The engine stopped before the message to ${envelope.recipient} was handled`));
    }
    queue.taskDone();
  }

  // ---------------------------------------------------------------- agents

  async registerAgentBuilder<T extends Agent>(
    type: string | AgentType,
    builder: AgentBuilder<T>,
    options: RegisterAgentBuilderOptions<T> = {},
  ): Promise<AgentType> {
    const agentType = type instanceof AgentType ? type : new AgentType(type);
    if (typeof builder !== 'function') {
      throw new TypeError(`registerAgentBuilder("${agentType.type}") needs a builder function, got ${describeValue(builder)}`);
    }
    if (this.builders.has(agentType.type) || this.instanceTypes.has(agentType.type)) {
      throw new EngineStateError(`An agent type named "${agentType.type}" is already registered`);
    }
    this.builders.set(agentType.type, { type: agentType.type, builder, expectedClass: options.expectedClass });
    return agentType;
  }

  async registerAgentInstance(agent: Agent, agentId: AgentId): Promise<AgentId> {
    if (!(agentId instanceof AgentId)) {
      throw new TypeError(`registerAgentInstance needs an AgentId, got ${describeValue(agentId)}`);
    }
    if (agent === null || typeof agent !== 'object' || typeof agent.onMessage !== 'function') {
      throw new TypeError(`registerAgentInstance needs an Agent (an object with onMessage), got ${describeValue(agent)}`);
    }
    if (this.builders.has(agentId.type)) {
      throw new EngineStateError(`Agent type "${agentId.type}" has a builder; an instance cannot also be registered for it`);
    }
    const key = agentId.toString();
    if (this.instances.has(key)) throw new EngineStateError(`An agent instance with id "${key}" is already registered`);
    const instanceClass = this.instanceClasses.get(agentId.type);
    if (instanceClass !== undefined && instanceClass !== agent.constructor) {
      throw new EngineStateError(
        `Agent type "${agentId.type}" has instances of class ${(instanceClass as { name: string }).name}; an instance of ` +
          `${agent.constructor.name} cannot be registered under it (all instances of one type must be of one class)`,
      );
    }
    await agent.bindIdAndEngine(agentId, this);
    this.instances.set(key, agent);
    this.instanceTypes.add(agentId.type);
    this.instanceClasses.set(agentId.type, agent.constructor);
    return agentId;
  }

  async get(idOrType: AgentId | AgentType | string, key = 'default', options: GetAgentOptions = {}): Promise<AgentId> {
    const id =
      idOrType instanceof AgentId
        ? idOrType
        : new AgentId(idOrType instanceof AgentType ? idOrType.type : idOrType, key);
    if (!this.isKnownRecipient(id)) throw this.notFound(id);
    if (options.lazy === false) await this.getAgent(id);
    return id;
  }

  async tryGetUnderlyingAgentInstance<T extends Agent = Agent>(id: AgentId, expectedClass?: AgentClass<T>): Promise<T> {
    const agent = await this.getKnownAgent(id);
    if (expectedClass !== undefined && !(agent instanceof expectedClass)) {
      throw new TypeError(`Agent ${id} is ${describeValue(agent)}, not an instance of ${expectedClass.name}`);
    }
    return agent as T;
  }

  async agentMetadata(id: AgentId): Promise<AgentMetadata> {
    return (await this.getKnownAgent(id)).metadata;
  }

  async agentSaveState(id: AgentId): Promise<AgentState> {
    return (await this.getKnownAgent(id)).saveState();
  }

  async agentLoadState(id: AgentId, state: AgentState): Promise<void> {
    if (!isPlainObject(state)) {
      throw new InvalidStateError(`agentLoadState(${id}) needs a plain object, got ${describeValue(state)}`);
    }
    await (await this.getKnownAgent(id)).loadState(state);
  }

  /** The state of every instantiated agent, keyed by `agentId.toString()`. */
  async saveState(): Promise<EngineState> {
    const state: EngineState = {};
    for (const [key, agent] of this.instances) state[key] = await agent.saveState();
    return state;
  }

  /**
   * Loads state saved by `saveState`, building agents as needed; entries of unregistered types are
   * skipped. The whole state is validated first, so a malformed one changes nothing.
   */
  async loadState(state: EngineState): Promise<void> {
    const entries = parseEngineState(state).filter(([id]) => this.isKnownRecipient(id));
    for (const [id, agentState] of entries) await (await this.getAgent(id)).loadState(agentState);
  }

  private isKnownRecipient(id: AgentId): boolean {
    return this.builders.has(id.type) || this.instances.has(id.toString());
  }

  private notFound(id: AgentId): AgentNotFoundError {
    const known = [...new Set([...this.builders.keys(), ...this.instanceTypes])];
    return new AgentNotFoundError(
      this.instanceTypes.has(id.type)
        ? `No agent instance "${id}" is registered (type "${id.type}" has registered instances but no builder)`
        : `No agent type "${id.type}" is registered (known types: ${known.length ? known.join(', ') : 'none'})`,
    );
  }

  private async getKnownAgent(id: AgentId): Promise<Agent> {
    if (!(id instanceof AgentId)) throw new TypeError(`Expected an AgentId, got ${describeValue(id)}`);
    if (!this.isKnownRecipient(id)) throw this.notFound(id);
    return this.getAgent(id);
  }

  /** Returns the agent, building it once even when several first messages race. */
  private getAgent(id: AgentId): Promise<Agent> {
    const agent = this.agentNow(id);
    return agent instanceof Promise ? agent : Promise.resolve(agent);
  }

  /**
   * The agent itself when it exists or its builder is synchronous (the common case: no promise,
   * no pending entry), else a promise of it. A builder runs at most once per id either way.
   */
  private agentNow(id: AgentId): Agent | Promise<Agent> {
    const key = id.toString();
    const existing = this.instances.get(key);
    if (existing !== undefined) return existing;
    const pending = this.pendingBuilds.get(key);
    if (pending !== undefined) return pending;
    const registration = this.builders.get(id.type);
    if (registration === undefined) return Promise.reject(this.notFound(id));
    const failed = (error: unknown): never => {
      this.events.constructionException(id, error);
      throw error;
    };
    let built: unknown;
    try {
      built = AgentInstantiationContext.populateContext(this, id, registration.builder);
      if (!isThenable(built)) {
        const agent = checkBuilt(registration, built);
        this.instances.set(key, agent);
        return agent;
      }
    } catch (error) {
      return Promise.reject(error).catch(failed);
    }
    const build = Promise.resolve(built).then(
      (value) => {
        this.pendingBuilds.delete(key);
        const agent = checkBuilt(registration, value);
        this.instances.set(key, agent);
        return agent;
      },
      (error: unknown) => {
        this.pendingBuilds.delete(key);
        return failed(error);
      },
    );
    this.pendingBuilds.set(key, build);
    return build;
  }

  // ---------------------------------------------------------------- subscriptions, serializers

  async subscribe(subscription: Subscription): Promise<void> {
    await this.subscriptionManager.subscribe(subscription);
  }

  async unsubscribe(id: string): Promise<void> {
    await this.subscriptionManager.unsubscribe(id);
  }

  registerMsgSerializer(serializer: MessageSerializer | readonly MessageSerializer[]): void {
    this.serializationRegistry.addSerializer(serializer);
  }

}

const HANDLER_SCOPE_CACHE_SIZE = 1024;
const NO_OPTIONS: SendOptions = Object.freeze({});

/**
 * Whether AsyncLocalStorage runs on AsyncContextFrame (Node ≥ 24 unless turned off; Node 22 with
 * the experimental flag), where a cached scope is cheaper than `run`; on the promise-hook
 * implementation it is not.
 */
const CACHE_HANDLER_SCOPES = ((): boolean => {
  const flags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  const major = Number(process.versions.node.split('.')[0]);
  if (flags.includes('--no-async-context-frame')) return false;
  return major >= 24 || flags.includes('--experimental-async-context-frame');
})();

interface AgentRegistration {
  readonly type: string;
  readonly builder: AgentBuilder<Agent>;
  readonly expectedClass: AgentClass<Agent> | undefined;
}

/** Invokes a handler; module-level so that starting one allocates no closure. */
function callHandler(agent: Agent, message: unknown, ctx: EngineMessageContext): Promise<unknown> {
  return agent.onMessage(message, ctx);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function checkBuilt(registration: AgentRegistration, agent: unknown): Agent {
  const expectedClass = registration.expectedClass;
  if (expectedClass !== undefined && (agent === null || typeof agent !== 'object' || agent.constructor !== expectedClass)) {
    throw new TypeError(
      `The builder of agent type "${registration.type}" returned ${describeValue(agent)}, expected an instance of ${expectedClass.name}`,
    );
  }
  return agent as Agent;
}

/** A send's caller hears that its message could not be queued through its envelope; a publish's through `onPublishError`. */
function failEnqueue(envelope: MessageEnvelope, onPublishError: ((error: unknown) => void) | undefined, error: unknown): void {
  const reason = stoppedIfShutDown(error);
  if (envelope.kind === 'send') envelope.reject(reason);
  else onPublishError?.(reason);
}

function stoppedIfShutDown(error: unknown): unknown {
  return error instanceof QueueShutDownError
    ? new EngineStoppedError('The engine is stopped and its queue cannot take messages; start it again (with a queue factory)', {
        cause: error,
      })
    : error;
}


function messageTypeName(message: unknown): string {
  if (message === null) return 'null';
  if (typeof message === 'object') return message.constructor?.name ?? 'Object';
  return typeof message;
}

