import type { NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { AgentDirectory, AgentEngineFacade, EngineEventLog, HandlerRunner, DEFAULT_STATE_STORE_TIMEOUT_MS, throwAll } from '@agentopera/engine';
import type { SerializationRegistry } from '@agentopera/serialization';
import type { StateStore } from '@agentopera/state';
import { MessageEngineTracingConfig, TraceHelper } from '@agentopera/telemetry';
import {
  EngineStateError,
  EngineStoppedError,
  type AgentClass,
  type AgentEngine,
  type AgentId,
  type AgentNotFoundError,
  type InferResponse,
  type MessageChannel,
  type SendableMessage,
  type SendMessageResult,
  type SendOptions,
  type StopOptions,
  type Subscription,
} from '@agentopera/types';
import type { ClusterNames } from '../cluster/cluster-names.js';
import type { JetStreamPublisher } from '../cluster/jetstream-publisher.js';
import type { ReplyRouter } from '../cluster/reply-router.js';
import { CallChains } from './call-chains.js';
import type { ClusterSubscriptions } from './cluster-subscriptions.js';
import { openEngineParts, type EngineParts } from './engine-parts.js';
import { FencedStateStore } from './fenced-state-store.js';
import { Hosting } from './hosting.js';
import { Inbound } from './inbound.js';
import { parseNatsOptions, type NatsAgentEngineOptions } from './nats-engine-options.js';
import { Outbound } from './outbound.js';
import { registerHandledMessageSerializers } from './routed-serializers.js';
import type { TypeRegistry } from './type-registry.js';

/**
 * `LocalAgentEngine`'s API over a cluster of processes on NATS JetStream. Processes that connect
 * with the same `cluster` form one cluster; each hosts the agent types it registers, owning a share
 * of their partitions (rendezvous hashing, leases), and any process can send to and publish for
 * any agent. Messages are stored in JetStream before a call counts as sent; agents are activated,
 * run (serial turns, reentrancy), saved and deactivated by the same directory and handler runner as
 * in the local engine, with state writes fenced so that only an agent's current owner commits.
 */
export class NatsAgentEngine extends AgentEngineFacade implements AgentEngine {
  readonly processId: string;
  readonly names: ClusterNames;
  protected readonly directory: AgentDirectory;
  private readonly runner: HandlerRunner;
  private readonly events: EngineEventLog;
  protected readonly serializationRegistry: SerializationRegistry;
  private readonly outbound: Outbound;
  private readonly inbound: Inbound;
  private readonly hosting: Hosting;
  /** The agent types (and instances' types) this process registered: it hosts them. */
  private readonly hostedTypes = new Set<string>();
  private readonly cancels: NatsSubscription;
  private readonly fencedStore: FencedStateStore | undefined;
  private backgroundError: { error: unknown } | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  private readonly nc: NatsConnection;
  private readonly ownsConnection: boolean;
  private readonly types: TypeRegistry;
  private readonly subscriptions: ClusterSubscriptions;
  private readonly publisher: JetStreamPublisher;
  private readonly replies: ReplyRouter;

  private constructor(
    parts: EngineParts,
    private readonly options: NatsAgentEngineOptions,
  ) {
    super();
    const parsed = parseNatsOptions(options);
    const { nc, jsm, names, processId, types, subscriptions, publisher, replies, stateStore, registry } = parts;
    this.nc = nc;
    this.ownsConnection = parts.ownsConnection;
    this.types = types;
    this.subscriptions = subscriptions;
    this.publisher = publisher;
    this.replies = replies;
    this.processId = processId;
    this.names = names;
    this.serializationRegistry = registry;
    const ignore = options.ignoreUnhandledExceptions ?? true;
    this.events = new EngineEventLog(options.eventLogger, registry, options.eventLogger === undefined && ignore);
    subscriptions.onError((error) => this.events.unobserved("the watch of the cluster's subscriptions failed", error));
    const traceHelper = new TraceHelper(options.tracerProvider, new MessageEngineTracingConfig('NatsAgentEngine'));
    this.hosting = new Hosting({
      nc,
      jsm,
      names,
      processId,
      partitions: parsed.partitions,
      timings: options.timings,
      replicas: options.replicas,
      publisher,
      handle: (msg, ackFloor) => this.inbound.handle(msg, ackFloor),
      agentsOf: (slot) => [...this.directory.live()].filter((a) => a.registration !== undefined && this.hosting.slotOf(a.id) === slot),
      deactivate: (id) => this.directory.deactivate(id),
      fenceOff: (id) => this.fencedStore?.fenceOff(id),
      onError: (error) => this.events.unobserved('the cluster plumbing failed', error),
    });
    const fenced = (this.fencedStore =
      stateStore === undefined
        ? undefined
        : new FencedStateStore(stateStore, processId, (id) => this.hosting.ownsAgent(id), (id, error) =>
            this.events.unobserved(`the state of ${id.toString()} was not saved: this process no longer owns it`, error),
          ));
    this.directory = new AgentDirectory({
      engine: this,
      events: this.events,
      stateStore: fenced,
      stateStoreTimeoutMs: options.stateStoreTimeoutMs ?? DEFAULT_STATE_STORE_TIMEOUT_MS,
      maxActiveAgents: options.maxActiveAgents,
      // Serial agents may live in other processes: every handler tracks its call chain.
      alwaysTrackCallChains: true,
    });
    this.runner = new HandlerRunner(this.directory);
    const chains = new CallChains(processId);
    const handlers = [...(options.interventionHandlers ?? [])];
    this.outbound = new Outbound({
      nc,
      names,
      processId,
      partitions: parsed.partitions,
      registry,
      publisher,
      replies,
      types,
      subscriptions,
      chains,
      interventionHandlers: handlers,
      traceHelper,
      events: this.events,
      rpcTimeoutMs: parsed.rpcTimeoutMs,
      notFound: async (id) => this.agentNotFound(id),
    });
    this.inbound = new Inbound({
      nc,
      registry,
      directory: this.directory,
      runner: this.runner,
      store: fenced,
      chains,
      traceHelper,
      events: this.events,
      recordBackgroundError: (error) => {
        if (!ignore) this.backgroundError ??= { error };
      },
    });
    this.cancels = nc.subscribe(names.cancelSubject, {
      callback: (error, msg) => {
        if (error !== null) return;
        try {
          const { caller, request } = msg.json<{ caller: string; request: string }>();
          this.inbound.cancel(String(caller), String(request));
        } catch {
          // not a cancellation of ours
        }
      },
    });
  }

  /** Connects (or adopts `connection`), makes sure the cluster's streams and buckets exist, and joins. */
  static async connect(options: NatsAgentEngineOptions): Promise<NatsAgentEngine> {
    const parts = await openEngineParts(options);
    try {
      return new NatsAgentEngine(parts, options);
    } catch (error) {
      await parts.release();
      throw error;
    }
  }

  /** Live agent instances in this process. */
  get activeAgentCount(): number {
    return this.directory.activeCount;
  }

  /** Agents built and deactivated in this process, and messages its handlers finished. */
  get counts(): { readonly activated: number; readonly deactivated: number; readonly handled: number } {
    return { activated: this.directory.activatedCount, deactivated: this.directory.deactivatedCount, handled: this.inbound.handled };
  }

  /** The store agent state is kept in (without the fencing this engine adds around it). */
  get stateStore(): StateStore | undefined {
    return this.directory.stateStore;
  }

  /** The partitions (`type/partition`) this process owns now. */
  get ownedPartitions(): string[] {
    return this.hosting.ownedSlots();
  }

  // ---------------------------------------------------------------- messaging

  /**
   * Stores `message` for `recipient` (wherever in the cluster it lives) and resolves with its
   * handler's value, typed as the message declares under `[ResponseType]` (or `R` when given) and
   * rebuilt as an instance of its class when this process knows the class. Rejects at once with
   * `AgentNotFoundError` for a type no process registered, with the host's error when it cannot
   * decode or handle the message, with `CancelledError` when the call's `signal` or token cancels
   * it, and with `DeliveryTimeoutError` after `rpcTimeoutMs` without an answer.
   */
  override sendMessage<R = InferResponse, M extends SendableMessage<R> = SendableMessage<R>>(
    message: M,
    recipient: AgentId,
    options?: SendOptions,
  ): Promise<SendMessageResult<R, M>> {
    return super.sendMessage<R, M>(message, recipient, options);
  }

  protected deliver(message: unknown, recipient: AgentId, options: SendOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new EngineStoppedError('The engine is closed'));
    return this.outbound.send(message, recipient, options);
  }

  publishMessage(message: unknown, channel: MessageChannel, options: SendOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new EngineStoppedError('The engine is closed'));
    return this.outbound.publish(message, channel, options);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts hosting the registered types: claims their partitions and handles their messages. The
   * returned promise resolves once this process has joined; not awaiting it is fine.
   */
  start(): Promise<void> {
    if (this.closed) throw new EngineStateError('The engine is closed');
    if (this.running !== undefined) throw new EngineStateError('The engine is already started');
    const running = this.hosting.start([...this.hostedTypes]);
    this.running = running;
    running.catch((error: unknown) => this.events.unobserved('starting the engine failed', error));
    return running;
  }

  /** Hands this process's partitions over (after their running turns, saving their agents) and stops. */
  async stop(options: StopOptions = {}): Promise<void> {
    const signal = this.stopSignal(options, 'stop');
    const running = this.requireRunning('stop');
    this.running = undefined;
    const detach = this.cancelRunningOnAbort(signal);
    let errors: unknown[];
    try {
      await running.catch(() => {});
      await this.hosting.stop(signal);
      errors = await this.directory.saveAll(signal);
    } finally {
      detach();
    }
    this.rethrowBackgroundError();
    throwAll(errors, 'agents failed to save their state on stop');
  }

  protected cancelRunning(reason: unknown): void {
    this.inbound.cancelRunning(reason);
  }

  /** Stops once nothing is waiting in or being handled from the partitions this process owns, or is about to own. */
  async stopWhenIdle(): Promise<void> {
    // Until start() has hosted the registered types this process owns nothing, which is not idle.
    await this.requireRunning('stopWhenIdle').catch(() => {});
    while (this.running !== undefined && !(this.inbound.inFlight === 0 && (await this.hosting.idle()))) {
      if (this.backgroundError !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (this.running !== undefined) await this.stop();
  }

  /** Stops if running, saves and closes every agent of this process, and closes a connection it opened. */
  async close(options: StopOptions = {}): Promise<void> {
    const signal = this.stopSignal(options, 'close');
    if (this.closed) return;
    let stopError: unknown;
    if (this.running !== undefined) await this.stop(options).catch((error: unknown) => (stopError = error));
    this.closed = true;
    const detach = this.cancelRunningOnAbort(signal);
    const errors = await this.directory.closeAll(signal).finally(detach);
    this.cancels.unsubscribe();
    this.subscriptions.close();
    this.replies.close(new EngineStoppedError('The engine closed before the answer came'));
    this.publisher.close();
    if (this.ownsConnection) await this.nc.drain().catch(() => {});
    if (stopError !== undefined) errors.unshift(stopError);
    throwAll(errors, 'agents failed to save or close');
  }

  // ---------------------------------------------------------------- agents

  /**
   * A registered type is hosted by this process: its handlers' message classes get serializers
   * (a `RoutedAgent`'s), the cluster learns the type, and a running engine claims its partitions.
   * Instances' types are hosted by the registering process alone: register instances of one type
   * on one process only.
   */
  protected override async registered(type: string, agentClass: AgentClass | undefined): Promise<void> {
    if (agentClass !== undefined) registerHandledMessageSerializers(this.serializationRegistry, agentClass);
    this.hostedTypes.add(type);
    await this.types.register(type, this.processId);
    await this.hostIfStarted(type);
  }

  /**
   * Hosts a type registered after `start()`. A `start()` not awaited may still be joining (its
   * node does not exist yet, and it took its list of types before this one): wait for it first.
   */
  private async hostIfStarted(type: string): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    await running.catch(() => {}); // a failed start is reported by start()
    if (this.running === running) await this.hosting.host(type);
  }

  // ---------------------------------------------------------------- subscriptions

  subscribe(subscription: Subscription): Promise<void> {
    return this.subscriptions.subscribe(subscription);
  }

  unsubscribe(id: string): Promise<void> {
    return this.subscriptions.unsubscribe(id);
  }

  // ---------------------------------------------------------------- the facade's hooks

  protected typeIsKnown(id: AgentId): boolean | Promise<boolean> {
    return this.types.isKnownNow(id.type) || this.types.isKnown(id.type);
  }

  protected agentNotFound(id: AgentId): Promise<AgentNotFoundError> {
    return this.types.notFound(id, this.names.cluster);
  }

  /** Whether the agent lives in this process now (its type is hosted here and its partition owned). */
  protected hostsHere(id: AgentId): boolean {
    return this.directory.isKnown(id) && this.hosting.ownsAgent(id);
  }

  protected override notHostedHere(id: AgentId): Error {
    return new EngineStateError(`Agent ${id} does not live in this process (${this.processId}) now; only its owner can reach the instance`);
  }

  protected get currentRun(): Promise<void> | undefined {
    return this.running;
  }

  private requireRunning(method: string): Promise<void> {
    if (this.running === undefined) throw new EngineStateError(`${method}() was called but the engine is not started`);
    return this.running;
  }

  private rethrowBackgroundError(): void {
    const recorded = this.backgroundError;
    if (recorded === undefined) return;
    this.backgroundError = undefined;
    throw recorded.error;
  }
}
