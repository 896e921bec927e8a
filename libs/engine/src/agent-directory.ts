import type { StateStore } from '@agentopera/state';
import {
  AgentId,
  AgentInstantiationContext,
  AgentNotFoundError,
  isNoOpLifecycle,
  type Agent,
  type AgentEngine,
  type RegisterAgentBuilderOptions,
} from '@agentopera/types';
import { Activation } from './activation.js';
import type { AgentRegistration } from './agent-registration.js';
import { AgentTypeRegistry } from './agent-type-registry.js';
import { AgentStatePersistence } from './agent-state-persistence.js';
import type { EngineEventLog } from './engine-event-log.js';
import { callLifecycle, Failure } from './failure.js';
import { ignore, LiveAgents } from './live-agents.js';
import { Countdown, Later, whenReady } from './later.js';
import { BUILDING, PendingActivation } from './pending-activation.js';
import type { DeliveryEpoch } from './bare-deliveries.js';
import { DEFAULT_TURN_BLOCKED_WARNING_MS, TurnWatch } from './turn-watch.js';
import { FreshActivations } from './fresh-activations.js';

/** What an `AgentDirectory` is built with. */
export interface AgentDirectoryOptions {
  /** The engine agents see through `AgentInstantiationContext` and `bindIdAndEngine`. */
  readonly engine: AgentEngine;
  readonly events: EngineEventLog;
  readonly stateStore?: StateStore;
  /** Bound on every state store call. */
  readonly stateStoreTimeoutMs: number;
  readonly maxActiveAgents?: number;
  /**
   * Track call chains in every handler even when no serial type is registered here: an engine
   * whose serial agents may live in other processes (the NATS engine) needs them on every send.
   */
  readonly alwaysTrackCallChains?: boolean;
  /**
   * A serial turn that keeps messages for its agent waiting longer than this is reported once
   * (`TurnBlockedEvent` and a warning). Default 5000; 0 or `Infinity` turns the watch off.
   */
  readonly turnBlockedWarningMs?: number;
}

/**
 * Which agents exist and where each is in its life: registrations, lazy activation (build, then
 * load stored state), the live instances, and deactivation (save, close, drop) when idle, over the
 * cap or asked to. An engine asks it for an agent's `Activation` and reports when a message enters
 * and leaves it; the directory does the rest.
 *
 * Single activation: an id has at most one live instance. Concurrent first messages share one
 * activation; a message that arrives while its agent is being deactivated waits for that to finish
 * and reaches the next instance, never the closing one.
 */
export class AgentDirectory extends LiveAgents {
  private readonly types: AgentTypeRegistry;
  private readonly engine: AgentEngine;
  private readonly maxActiveAgents: number | undefined;
  /** See `hasSerialTypes`: a field, as every send and delivery reads it. */
  private serialTypes: boolean;
  /**
   * The key of the activation `activate` is preparing synchronously, kept out of `pending`: most
   * end before `activate` returns, and a Map that goes from one entry to none and back reallocates
   * its table each time (V8 shrinks it), which churned garbage on every activation under a cap.
   */
  private building: string | undefined = undefined;
  private readonly turnWatch: TurnWatch | undefined;
  private readonly fresh: FreshActivations;

  constructor(options: AgentDirectoryOptions) {
    super(options.events, options.stateStore === undefined ? undefined : new AgentStatePersistence(options.stateStore, options.stateStoreTimeoutMs));
    this.engine = options.engine;
    this.maxActiveAgents = options.maxActiveAgents;
    this.serialTypes = options.alwaysTrackCallChains ?? false;
    this.fresh = new FreshActivations(this.idle);
    this.types = new AgentTypeRegistry({ hasStateStore: this.persistence !== undefined, maxActiveAgents: this.maxActiveAgents });
    const events = options.events;
    this.turnWatch = TurnWatch.fromOption(options.turnBlockedWarningMs ?? DEFAULT_TURN_BLOCKED_WARNING_MS, (turns, waitedMs, thresholdMs) =>
      events.turnBlocked(turns, waitedMs, thresholdMs),
    );
  }

  get stateStore(): StateStore | undefined {
    return this.persistence?.store;
  }

  // ---------------------------------------------------------------- registration

  register(type: string, builder: unknown, options: RegisterAgentBuilderOptions<Agent>): AgentRegistration {
    const registration = this.types.addBuilder(type, builder, options);
    this.serialTypes ||= registration.serial;
    if (registration.serial) registration.turnWatch = this.turnWatch;
    return registration;
  }

  /** Set once a serial type is registered (or from the start, with `alwaysTrackCallChains`): only then do sends carry their call chain. */
  get hasSerialTypes(): boolean {
    return this.serialTypes;
  }

  async registerInstance(agent: Agent, id: AgentId): Promise<void> {
    this.types.checkInstance(agent, id, id instanceof AgentId && this.activations.has(id.toString()));
    await agent.bindIdAndEngine(id, this.engine);
    this.activations.set(id.toString(), new Activation(id, agent, undefined));
    this.types.addInstanceType(id.type, agent.constructor);
    this.activatedCount++;
  }

  isKnown(id: AgentId): boolean {
    return this.types.hasBuilder(id.type) || this.activations.has(id.toString());
  }

  registration(type: string): AgentRegistration | undefined {
    return this.types.builder(type);
  }

  notFound(id: AgentId): AgentNotFoundError {
    return this.types.notFound(id);
  }

  // ---------------------------------------------------------------- activation

  /**
   * The live activation when there is one (or a synchronous builder and nothing to load makes one
   * now: the common case, no promise), else the activation under way. A builder runs at most once
   * per activation, however many first messages race. A bare agent becomes a full activation.
   */
  activationNow(id: AgentId): Activation | PendingActivation {
    const entry = this.entryNow(id);
    return entry instanceof Activation || entry instanceof PendingActivation ? entry : this.promote(id.toString(), entry, id);
  }

  /**
   * `activationNow` for the engine's fast path: a bare agent (see `AgentRegistration.bare`) comes
   * back as it is, and one activated now for a bare type is kept bare. Its deliveries are counted
   * with `startBare()` instead of `enter`/`leave`.
   */
  entryNow(id: AgentId): Activation | Agent | PendingActivation {
    const key = id.toString();
    const existing = this.activations.get(key);
    if (existing !== undefined) {
      if (!(existing instanceof Activation)) return existing;
      return existing.closing ? this.afterClosing(existing, id) : existing;
    }
    return this.entryWhenAbsent(id, key);
  }

  /** The live entry of `key` as it is: an activation (perhaps closing), a bare agent, or none. */
  liveEntry(key: string): Activation | Agent | undefined {
    return this.activations.get(key);
  }

  /** `entryNow` for an id that `liveEntry` found no entry for (its key given, not looked up again). */
  entryWhenAbsent(id: AgentId, key: string): Activation | Agent | PendingActivation {
    if (this.pending.size > 0) {
      const pending = this.pending.get(key);
      if (pending !== undefined) return pending === BUILDING ? this.pendingFor(key) : pending;
    }
    // Looked up again while it is being prepared (by a store, an event listener): wait for it.
    if (key === this.building) return this.pendingFor(key);
    const registration = this.types.builder(id.type);
    if (registration === undefined) return PendingActivation.failed(this.notFound(id));
    return this.activate(id, key, registration);
  }

  /** Counts one delivery to a bare agent; `finish()` the epoch returned when it ends. */
  startBare(): DeliveryEpoch {
    return this.bare.start();
  }

  /** @internal */
  protected registrationOf(type: string): AgentRegistration | undefined {
    return this.types.builder(type);
  }

  activation(id: AgentId): Promise<Activation> {
    const activation = this.activationNow(id);
    return activation instanceof PendingActivation ? activation.promise() : Promise.resolve(activation);
  }

  /** The next instance of an agent being deactivated: looked up again once the deactivation has ended. */
  private afterClosing(closing: Activation, id: AgentId): PendingActivation {
    const next = new PendingActivation();
    closing.onClosingEnded(() => {
      const found = this.activationNow(id);
      if (found instanceof PendingActivation) found.onSettled((activation) => next.succeed(activation), (error) => next.fail(error));
      else next.succeed(found);
    });
    return next;
  }

  /**
   * Makes `activation` busy for one message, unless it was deactivated (or began to be) since it
   * was looked up: then the message goes to the agent's next instance. Checking and entering in
   * one synchronous step is what keeps messages away from closing instances.
   */
  async enterLive(activation: Activation, id: AgentId): Promise<Activation> {
    let live = activation;
    for (let attempt = 1; live.retired || live.closing; attempt++) {
      // Should instances keep vanishing under this message, let timers and I/O run between tries
      // rather than spin in microtasks.
      if (attempt % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      live = await this.activation(id);
    }
    this.enter(live);
    return live;
  }

  /** A message was accepted for `activation`: it is busy until the matching `leave`. */
  enter(activation: Activation): void {
    if (activation.inFlight++ === 0 && activation.tracked) this.idle.busy(activation);
  }

  /** A message accepted by `enter` is done with `activation`. */
  leave(activation: Activation): void {
    if (--activation.inFlight > 0) return;
    const waiters = activation.takeIdleWaiters();
    if (waiters !== undefined) for (const wake of waiters) wake();
    if (!activation.tracked || activation.closing || activation.retired || activation.inFlight > 0) return;
    this.idle.idle(activation);
    // Over the cap because nothing was idle when an agent was activated: shed the excess now.
    if (this.maxActiveAgents !== undefined && this.activations.size - this.closingCount > this.maxActiveAgents) this.shedIdle();
  }

  /**
   * Builds the agent and, as needed, makes room under the cap and loads its stored state; the new
   * instance goes live once both have ended (so the cap holds, and a slow store slows activations
   * down instead of letting closing instances pile up). Each step returns its outcome when it ends
   * at once: with a synchronous store and agents whose save and close are no-ops, the whole
   * activation ends before this returns and the caller gets the live instance, with no callback
   * and no `PendingActivation` allocated.
   */
  private activate(id: AgentId, key: string, registration: AgentRegistration): Activation | Agent | PendingActivation {
    const persistence = registration.persistence !== 'none' ? this.persistence : undefined;
    const cap = this.maxActiveAgents;
    const full = cap !== undefined && this.activations.size - this.closingCount + this.underWay() >= cap;
    let built: unknown;
    try {
      built = AgentInstantiationContext.populateContext(this.engine, id, registration.builder);
      if (persistence === undefined && !full && !isThenable(built)) {
        const agent = registration.checkBuilt(built);
        return registration.bare ? this.addBare(key, id, agent) : this.addActivation(new Activation(id, agent, registration), false);
      }
    } catch (error) {
      return PendingActivation.failed(this.constructionFailed(id, error));
    }
    // Under way from here: lookups of this id wait for it, and it counts towards the cap. An
    // activation that starts while another is being prepared (a nested one) goes in `pending`.
    if (this.building === undefined) this.building = key;
    else this.pending.set(key, BUILDING);
    let outcome: Activation | Failure | Later<Activation | Failure>;
    if (isThenable(built)) {
      const later = new Later<Activation | Failure>();
      Promise.resolve(built).then(
        (agent) => whenReady(this.prepare(id, registration, agent, persistence, full), (result) => later.end(result)),
        (error: unknown) => later.end(new Failure(error)),
      );
      outcome = later;
    } else {
      outcome = this.prepare(id, registration, built, persistence, full);
    }
    if (this.building === key) this.building = undefined;
    if (!(outcome instanceof Later)) return this.activated(key, id, outcome, persistence !== undefined);
    const pending = this.pendingFor(key);
    outcome.onEnd((result) => this.activated(key, id, result, persistence !== undefined));
    return pending;
  }

  /** The `PendingActivation` of an activation under way, made now if none had to wait for it yet. */
  private pendingFor(key: string): PendingActivation {
    const entry = this.pending.get(key);
    if (entry instanceof PendingActivation) return entry;
    const pending = new PendingActivation();
    this.pending.set(key, pending);
    if (this.building === key) this.building = undefined; // counted in `pending` from now on
    return pending;
  }

  /** Activations under way: on their way in, so they count towards the cap. */
  private underWay(): number {
    return this.pending.size + (this.building === undefined ? 0 : 1);
  }

  /** Room under the cap and the stored state, for the instance built from `agent`. */
  private prepare(
    id: AgentId,
    registration: AgentRegistration,
    agent: unknown,
    persistence: AgentStatePersistence | undefined,
    full: boolean,
  ): Activation | Failure | Later<Activation | Failure> {
    let activation: Activation;
    try {
      activation = new Activation(id, registration.checkBuilt(agent), registration);
    } catch (error) {
      return new Failure(error);
    }
    const room = full ? this.makeRoom() : undefined;
    const loaded = persistence === undefined ? null : persistence.loadNow(activation);
    if (room === undefined && !(loaded instanceof Later)) return this.afterLoad(activation, loaded);
    const later = new Later<Activation | Failure>();
    const roomMade = (): void => whenReady(loaded, (result) => whenReady(this.afterLoad(activation, result), (outcome) => later.end(outcome)));
    if (room === undefined) roomMade();
    else room.onEnd(roomMade);
    return later;
  }

  /** The loaded instance, or the load's failure once the instance that could not take its state is closed. */
  private afterLoad(activation: Activation, loaded: Failure | null): Activation | Failure | Later<Activation | Failure> {
    if (loaded === null) return activation;
    if (isNoOpLifecycle(activation.agent.close)) return loaded;
    const later = new Later<Activation | Failure>();
    callLifecycle(activation.agent, 'close', undefined, undefined, () => later.end(loaded));
    return later;
  }

  /** Ends an activation: the instance goes live, or every message waiting for it hears why not. */
  private activated(key: string, id: AgentId, result: Activation | Failure, loadedState: boolean): Activation | PendingActivation {
    const waiting = this.pending.size === 0 ? undefined : this.pending.get(key);
    if (result instanceof Failure) {
      if (waiting !== undefined) this.pending.delete(key);
      const error = this.constructionFailed(id, result.error);
      if (!(waiting instanceof PendingActivation)) return PendingActivation.failed(error);
      waiting.fail(error);
      return waiting;
    }
    this.addActivation(result, loadedState && result.stateVersion !== null);
    if (waiting !== undefined) this.pending.delete(key);
    if (waiting instanceof PendingActivation) waiting.succeed(result);
    return result;
  }

  private addBare(key: string, id: AgentId, agent: Agent): Agent {
    this.activations.set(key, agent);
    this.activatedCount++;
    this.events.activated(id, false);
    return agent;
  }

  private addActivation(activation: Activation, stateLoaded: boolean): Activation {
    this.activations.set(activation.key, activation);
    this.activatedCount++;
    this.events.activated(activation.id, stateLoaded);
    if (activation.tracked) this.fresh.add(activation);
    return activation;
  }

  private constructionFailed(id: AgentId, error: unknown): unknown {
    this.events.constructionException(id, error);
    return error;
  }

  /**
   * Deactivates least-recently-used idle agents until one more fits under the cap (or none is
   * idle); `undefined` when that ended at once, else a `Later` that ends when every deactivation
   * started here has. A failed save keeps its victim (reported): the new agent is activated anyway
   * rather than trying every agent.
   */
  private makeRoom(): Later<void> | undefined {
    const cap = this.maxActiveAgents ?? Infinity;
    let countdown: Countdown | undefined;
    // Instances being deactivated are on their way out; activations under way (this one among
    // them) are on their way in.
    while (this.activations.size - this.closingCount + this.underWay() > cap) {
      const victim = this.idle.leastRecentlyUsed();
      if (victim === undefined) break; // none idle: activate anyway, shed the excess later
      const closing = this.closingCount;
      const outcome = this.deactivateNow(victim, 'capacity');
      if (outcome === true) continue;
      if (!(outcome instanceof Later)) break; // its save failed, or it was not deactivated after all
      (countdown ??= new Countdown()).add(outcome);
      if (this.closingCount === closing) break; // not on its way out: do not pick it again
    }
    return countdown?.seal();
  }

  private shedIdle(): void {
    const victim = this.idle.leastRecentlyUsed();
    if (victim !== undefined) this.deactivateThen(victim, 'capacity', ignore);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
