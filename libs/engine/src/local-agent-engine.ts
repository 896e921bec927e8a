import { AsyncQueue, QueueShutDownError, type MessageQueue } from '@agentopera/queue';
import { DefaultSerializationRegistry, type SerializationRegistry } from '@agentopera/serialization';
import type { StateStore } from '@agentopera/state';
import { DefaultSubscriptionManager, type SubscriptionManager } from '@agentopera/subscriptions';
import { MessageEngineTracingConfig, TraceHelper } from '@agentopera/telemetry';
import {
  EngineStateError,
  type AgentEngine,
  type AgentId,
  type AgentNotFoundError,
  type MessageChannel,
  type SendOptions,
  type StopOptions,
  type Subscription,
} from '@agentopera/types';
import { AgentDirectory } from './agent-directory.js';
import { AgentEngineFacade } from './agent-engine-facade.js';
import { Dispatcher } from './dispatcher.js';
import { EngineEventLog } from './engine-event-log.js';
import { throwAll } from './failure.js';
import type { MessageEnvelope } from './envelopes.js';
import { HandlerRunner } from './handler-runner.js';
import { MessageIntake, failEnqueue } from './message-intake.js';
import type { InterventionHandler } from './intervention-handler.js';
import type { LocalAgentEngineOptions } from './local-agent-engine-options.js';
import { parseEngineOptions } from './engine-options.js';
import { RunContext } from './run-context.js';
import { warnIfNeverStarted } from './unstarted-engine-warning.js';

type EnvelopeQueue = MessageQueue<MessageEnvelope>;

/**
 * An embedded, single-process agent engine: one queue, each message handled in its own async task
 * (a slow handler does not block others), agents built lazily on their first message.
 *
 * How a message travels: `sendMessage`/`publishMessage` (here) put an envelope in the queue; the
 * `RunContext` drains it and hands each envelope to the `Dispatcher`, which finds the recipient's
 * `Activation` in the `AgentDirectory` and has the `HandlerRunner` run the handler (as a turn for
 * serial agents); the result settles the caller's promise.
 *
 * Beyond the Python original it is modelled on: every `sendMessage` promise settles (stop,
 * missing recipients, failing builders, interventions and cancellation all reach the caller),
 * `stopWhenIdle()` cannot hang on failures, logging costs nothing unless enabled, and agents can be
 * serial, persisted, and deactivated when idle or over a cap.
 */
export class LocalAgentEngine extends AgentEngineFacade implements AgentEngine {
  private readonly queueFactory: (() => EnvelopeQueue) | undefined;
  private queue: EnvelopeQueue;
  protected readonly directory: AgentDirectory;
  private readonly runner: HandlerRunner;
  private readonly dispatcher: Dispatcher;
  private readonly intake: MessageIntake;
  private readonly subscriptionManager: SubscriptionManager;
  protected readonly serializationRegistry: SerializationRegistry;
  private readonly interventionHandlers: readonly InterventionHandler[];
  private readonly events: EngineEventLog;
  private readonly traceHelper: TraceHelper;
  private readonly ignoreUnhandledExceptions: boolean;
  private backgroundError: { error: unknown } | undefined = undefined;
  private onBackgroundError: (() => void) | undefined = undefined;
  private run: RunContext | undefined = undefined;
  private stoppedOnce = false;
  /** `start()` or `processNext()` was used: messages queued before either are not forgotten ones. */
  private everRun = false;

  constructor(options: LocalAgentEngineOptions = {}) {
    super();
    const parsed = parseEngineOptions(options);
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
    this.directory = new AgentDirectory({
      engine: this,
      events: this.events,
      stateStore: parsed.stateStore,
      stateStoreTimeoutMs: parsed.stateStoreTimeoutMs,
      maxActiveAgents: parsed.maxActiveAgents,
      turnBlockedWarningMs: parsed.turnBlockedWarningMs,
    });
    this.runner = new HandlerRunner(this.directory);
    this.dispatcher = new Dispatcher({
      directory: this.directory,
      runner: this.runner,
      events: this.events,
      traceHelper: this.traceHelper,
      interventionHandlers: this.interventionHandlers,
      subscriptionManager: this.subscriptionManager,
      recordBackgroundError: (error) => this.recordBackgroundError(error),
    });
    this.intake = new MessageIntake(this.directory, this.events, this.traceHelper, (envelope, onQueued, onError) =>
      this.enqueue(envelope, onQueued, onError),
    );
  }

  /** Messages waiting in the queue (not those being handled). */
  get unprocessedMessagesCount(): number {
    return this.queue.qsize();
  }

  /** Live agent instances, including those registered with `registerAgentInstance`. */
  get activeAgentCount(): number {
    return this.directory.activeCount;
  }

  /** Agent instances built (or registered) and deactivated since the engine was made. */
  get lifecycleCounts(): { readonly activated: number; readonly deactivated: number } {
    return { activated: this.directory.activatedCount, deactivated: this.directory.deactivatedCount };
  }

  /** The store agent state is kept in, if the engine was given one. */
  get stateStore(): StateStore | undefined {
    return this.directory.stateStore;
  }

  // ---------------------------------------------------------------- messaging

  protected deliver(message: unknown, recipient: AgentId, options: SendOptions | undefined): Promise<unknown> {
    return this.intake.send(message, recipient, options);
  }

  publishMessage(message: unknown, channel: MessageChannel, options?: SendOptions): Promise<void> {
    return this.intake.publish(message, channel, options);
  }

  /** Puts without a promise while there is room; waits (backpressure) only on a full bounded queue. */
  private enqueue(envelope: MessageEnvelope, onQueued?: () => void, onPublishError?: (error: unknown) => void): void {
    const queue = this.queue;
    if (this.run === undefined && !this.everRun) warnIfNeverStarted(this);
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

  /** Whether messages wait in an engine nobody has started (for the exit-time warning). */
  get hasForgottenMessages(): boolean {
    return !this.everRun && this.queue.qsize() > 0;
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
    if (this.queueFactory === undefined && this.stoppedOnce) {
      throw new EngineStateError(
        'The engine was given a queue instance, which cannot be reused after stop(); pass a queue factory (() => queue) to restart it',
      );
    }
    this.everRun = true;
    this.runner.cacheScopes(true);
    this.run = new RunContext(this.queue, (envelope, queue) => this.dispatcher.dispatch(envelope, queue));
  }

  /** Processes one queued message (for manual stepping without `start()`). */
  async processNext(): Promise<void> {
    if (this.run !== undefined) {
      throw new EngineStateError('processNext() steps an engine by hand; it cannot be used while start() is running');
    }
    this.everRun = true;
    this.rethrowBackgroundError();
    const queue = this.queue;
    let envelope: MessageEnvelope;
    try {
      envelope = await queue.get();
    } catch (error) {
      if (error instanceof QueueShutDownError) return;
      throw error;
    }
    this.dispatcher.dispatch(envelope, queue);
  }

  /**
   * Stops at once: handlers already running finish (their callers get their results), every
   * message still queued is discarded and each discarded `sendMessage` rejects with
   * `EngineStoppedError`. Agents persisted on deactivation have their state saved, each once none
   * of its handlers runs; it resolves after those saves. `signal` bounds that wait: on abort every
   * running handler's token is cancelled and a busy agent keeps its last committed state.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const signal = this.stopSignal(options, 'stop');
    const run = this.requireRun('stop');
    this.shutdownRun(run);
    await run.finished;
    await this.afterStop(signal);
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
    await this.afterStop();
  }

  /**
   * Stops if running, then saves (as each type's `persistence` says) and closes every
   * instantiated agent, each once none of its handlers runs: all of them even if some fail, then
   * rejects with the failure (an `AggregateError` if several). `signal` bounds the wait for running
   * handlers as in `stop()`: on abort their tokens are cancelled and a busy agent is closed unsaved.
   */
  async close(options: StopOptions = {}): Promise<void> {
    const signal = this.stopSignal(options, 'close');
    if (this.run !== undefined) await this.stop(options);
    const detach = this.cancelRunningOnAbort(signal);
    try {
      throwAll(await this.directory.closeAll(signal), 'agents failed to save or close');
    } finally {
      detach();
    }
  }

  private async afterStop(signal?: AbortSignal): Promise<void> {
    this.rethrowBackgroundError();
    const detach = this.cancelRunningOnAbort(signal);
    try {
      throwAll(await this.directory.saveAll(signal), 'agents failed to save their state on stop');
    } finally {
      detach();
    }
  }

  protected cancelRunning(reason: unknown): void {
    this.dispatcher.cancelRunning(reason);
  }

  private requireRun(method: string): RunContext {
    if (this.run === undefined) throw new EngineStateError(`${method}() was called but the engine is not started`);
    return this.run;
  }

  private shutdownRun(run: RunContext): void {
    this.run = undefined;
    this.runner.cacheScopes(false);
    this.stoppedOnce = true;
    run.shutdown();
    if (this.queueFactory !== undefined) this.queue = this.queueFactory();
  }

  // ---------------------------------------------------------------- subscriptions, serializers

  async subscribe(subscription: Subscription): Promise<void> {
    await this.subscriptionManager.subscribe(subscription);
  }

  async unsubscribe(id: string): Promise<void> {
    await this.subscriptionManager.unsubscribe(id);
  }

  // ---------------------------------------------------------------- the facade's hooks

  protected typeIsKnown(id: AgentId): boolean {
    return this.directory.isKnown(id);
  }

  protected agentNotFound(id: AgentId): AgentNotFoundError {
    return this.directory.notFound(id);
  }

  /** Every known agent lives in this process. */
  protected hostsHere(id: AgentId): boolean {
    return this.directory.isKnown(id);
  }

  protected get currentRun(): object | undefined {
    return this.run;
  }
}

