import type { StateStore } from '@agentopera/state';
import type { DeactivationReason, StateSaveOccasion } from '@agentopera/telemetry';
import {
  AgentId,
  AgentInstantiationContext,
  AgentNotFoundError,
  describeValue,
  type Agent,
  type AgentEngine,
  type RegisterAgentBuilderOptions,
} from '@agentopera/types';
import { Activation } from './activation.js';
import type { AgentRegistration } from './agent-registration.js';
import { AgentTypeRegistry } from './agent-type-registry.js';
import { AgentStatePersistence } from './agent-state-persistence.js';
import type { EngineEventLog } from './engine-event-log.js';
import { IdleTracker } from './idle-tracker.js';

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
export class AgentDirectory {
  /** Instances built (or registered) so far, and instances deactivated. */
  activatedCount = 0;
  deactivatedCount = 0;
  private readonly types: AgentTypeRegistry;
  private readonly activations = new Map<string, Activation>();
  private readonly pending = new Map<string, Promise<Activation>>();
  private readonly engine: AgentEngine;
  private readonly events: EngineEventLog;
  private readonly persistence: AgentStatePersistence | undefined;
  private readonly maxActiveAgents: number | undefined;
  private readonly idle: IdleTracker;
  /** Deactivations under way: those agents are already on their way out of the cap. */
  private closingCount = 0;
  private readonly alwaysTrackCallChains: boolean;

  constructor(options: AgentDirectoryOptions) {
    this.engine = options.engine;
    this.events = options.events;
    this.persistence = options.stateStore === undefined ? undefined : new AgentStatePersistence(options.stateStore, options.stateStoreTimeoutMs);
    this.maxActiveAgents = options.maxActiveAgents;
    this.alwaysTrackCallChains = options.alwaysTrackCallChains ?? false;
    this.types = new AgentTypeRegistry({ hasStateStore: this.persistence !== undefined, maxActiveAgents: this.maxActiveAgents });
    this.idle = new IdleTracker(options.maxActiveAgents !== undefined, (activation) => {
      this.deactivateQuietly(activation, 'idle');
    });
  }

  /** Live instances (including those registered with `registerAgentInstance`). */
  get activeCount(): number {
    return this.activations.size;
  }

  get stateStore(): StateStore | undefined {
    return this.persistence?.store;
  }

  // ---------------------------------------------------------------- registration

  register(type: string, builder: unknown, options: RegisterAgentBuilderOptions<Agent>): AgentRegistration {
    return this.types.addBuilder(type, builder, options);
  }

  async registerInstance(agent: Agent, id: AgentId): Promise<void> {
    this.types.checkInstance(agent, id, id instanceof AgentId && this.activations.has(id.toString()));
    await agent.bindIdAndEngine(id, this.engine);
    const key = id.toString();
    this.activations.set(key, new Activation(id, key, agent, undefined, false));
    this.types.addInstanceType(id.type, agent.constructor);
    this.activatedCount++;
  }

  /** Set once a serial type is registered: only then do sends carry their call chain. */
  get hasSerialTypes(): boolean {
    return this.alwaysTrackCallChains || this.types.hasSerialTypes;
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
   * now: the common case, no promise), else a promise of it. A builder runs at most once per
   * activation, however many first messages race.
   */
  activationNow(id: AgentId): Activation | Promise<Activation> {
    const key = id.toString();
    const existing = this.activations.get(key);
    if (existing !== undefined) {
      return existing.closing === undefined ? existing : existing.closing.then(() => this.activation(id));
    }
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending;
    const registration = this.types.builder(id.type);
    if (registration === undefined) return Promise.reject(this.notFound(id));
    return this.activate(id, key, registration);
  }

  activation(id: AgentId): Promise<Activation> {
    const activation = this.activationNow(id);
    return activation instanceof Promise ? activation : Promise.resolve(activation);
  }

  /** Every live instance, in activation order. */
  live(): IterableIterator<Activation> {
    return this.activations.values();
  }

  /**
   * Makes `activation` busy for one message, unless it was deactivated (or began to be) since it
   * was looked up: then the message goes to the agent's next instance. Checking and entering in
   * one synchronous step is what keeps messages away from closing instances.
   */
  async enterLive(activation: Activation, id: AgentId): Promise<Activation> {
    let live = activation;
    for (let attempt = 1; live.retired || live.closing !== undefined; attempt++) {
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
    const waiters = activation.idleWaiters;
    if (waiters !== undefined) {
      activation.idleWaiters = undefined;
      for (const wake of waiters) wake();
    }
    if (!activation.tracked || activation.closing !== undefined || activation.retired) return;
    this.idle.idle(activation, performance.now());
    // Over the cap because nothing was idle when an agent was activated: shed the excess now.
    if (this.maxActiveAgents !== undefined && this.activations.size - this.closingCount > this.maxActiveAgents) this.shedIdle();
  }

  private activate(id: AgentId, key: string, registration: AgentRegistration): Activation | Promise<Activation> {
    const load = this.persistence !== undefined && registration.persistence !== 'none';
    const full = this.maxActiveAgents !== undefined && this.activations.size + this.pending.size >= this.maxActiveAgents;
    let built: unknown;
    try {
      built = AgentInstantiationContext.populateContext(this.engine, id, registration.builder);
      if (!load && !full && !isThenable(built)) return this.add(id, key, registration, registration.checkBuilt(built), false);
    } catch (error) {
      return Promise.reject(this.constructionFailed(id, error));
    }
    const activation = (async (): Promise<Activation> => {
      if (full) await this.makeRoom(key);
      const agent = registration.checkBuilt(await built);
      const activation = new Activation(id, key, agent, registration, this.idle.tracks(registration));
      if (load) {
        try {
          await this.persistence?.load(activation);
        } catch (error) {
          // Nothing half-built is kept: the instance that could not take its state is closed.
          await agent.close().catch(() => undefined);
          throw error;
        }
      }
      return this.addActivation(activation, load && activation.stateVersion !== null);
    })().then(
      (activation) => {
        this.pending.delete(key);
        return activation;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw this.constructionFailed(id, error);
      },
    );
    this.pending.set(key, activation);
    return activation;
  }

  private add(id: AgentId, key: string, registration: AgentRegistration, agent: Agent, stateLoaded: boolean): Activation {
    return this.addActivation(new Activation(id, key, agent, registration, this.idle.tracks(registration)), stateLoaded);
  }

  private addActivation(activation: Activation, stateLoaded: boolean): Activation {
    this.activations.set(activation.key, activation);
    this.activatedCount++;
    this.events.activated(activation.id, stateLoaded);
    // Not idle until the message it was built for has been through it: a fresh instance that
    // could be chosen as a victim before that message enters would let activations under the cap
    // evict one another forever. One macrotask later, an instance nothing entered (built by
    // `get(…, { lazy: false })`, or its message was cancelled) counts as idle from then on.
    if (activation.tracked) setImmediate(() => this.idleIfUnused(activation));
    return activation;
  }

  private idleIfUnused(activation: Activation): void {
    if (activation.inFlight === 0 && !activation.retired && activation.closing === undefined && activation.idleSince === 0) {
      this.idle.idle(activation, performance.now());
    }
  }

  private constructionFailed(id: AgentId, error: unknown): unknown {
    this.events.constructionException(id, error);
    return error;
  }

  /** Deactivates least-recently-used idle agents until one more fits under the cap (or none is idle). */
  private async makeRoom(key: string): Promise<void> {
    const cap = this.maxActiveAgents ?? Infinity;
    // Other activations under way count against the cap too; this one is about to.
    while (this.activations.size + this.pending.size - (this.pending.has(key) ? 1 : 0) >= cap) {
      const victim = this.idle.leastRecentlyUsed();
      if (victim === undefined) return; // none idle: activate anyway, shed the excess later
      this.idle.busy(victim);
      // A failed save keeps the victim (reported); activate anyway rather than try every agent.
      if (!(await this.deactivateQuietly(victim, 'capacity'))) return;
    }
  }

  private shedIdle(): void {
    const victim = this.idle.leastRecentlyUsed();
    if (victim === undefined) return;
    this.idle.busy(victim);
    void this.deactivateQuietly(victim, 'capacity');
  }

  // ---------------------------------------------------------------- deactivation and saving

  /**
   * Deactivates the live instance of `id`: once it is idle, saves its state, closes it and drops
   * it. `false` when it is not active or was registered as an instance (it could not be rebuilt).
   * Rejects, leaving the agent active, when its state cannot be saved.
   */
  async deactivate(id: AgentId): Promise<boolean> {
    if (!(id instanceof AgentId)) throw new TypeError(`deactivate needs an AgentId, got ${describeValue(id)}`);
    const activation = this.activations.get(id.toString());
    if (activation === undefined) return false;
    return this.deactivateActivation(activation, 'requested');
  }

  private async deactivateQuietly(activation: Activation, reason: DeactivationReason): Promise<boolean> {
    try {
      return await this.deactivateActivation(activation, reason);
    } catch {
      // Reported by deactivateActivation; the agent stays active and is tried again later.
      return false;
    }
  }

  private async deactivateActivation(activation: Activation, reason: DeactivationReason): Promise<boolean> {
    if (activation.registration === undefined || activation.retired) return false;
    if (activation.closing !== undefined) {
      await activation.closing;
      return !this.activations.has(activation.key);
    }
    // Deactivate on idle: new messages keep being accepted meanwhile (waiting could deadlock a
    // call chain that is waiting on this very agent).
    while (activation.inFlight > 0) await new Promise<void>((wake) => (activation.idleWaiters ??= []).push(wake));
    if (activation.closing !== undefined || !this.activations.has(activation.key)) return this.deactivateActivation(activation, reason);
    this.idle.busy(activation);
    let closed!: () => void;
    activation.closing = new Promise<void>((resolve) => (closed = resolve));
    this.closingCount++;
    const saved = await this.saveFor(activation, 'deactivate');
    if (saved instanceof Failure) {
      this.closingCount--;
      activation.closing = undefined;
      closed();
      if (activation.tracked && activation.inFlight === 0) this.idle.idle(activation, performance.now());
      throw saved.error;
    }
    try {
      await activation.agent.close();
    } catch (error) {
      this.events.unobserved(`closing ${activation.id.toString()} on deactivation failed`, error);
    }
    this.activations.delete(activation.key);
    activation.retired = true;
    this.closingCount--;
    this.deactivatedCount++;
    this.events.deactivated(activation.id, reason, saved);
    closed();
    return true;
  }

  /** Saves after a handled message (`persistence: 'turn'`); the caller's result waits for it. */
  async saveTurn(activation: Activation): Promise<void> {
    const saved = await this.saveFor(activation, 'turn');
    if (saved instanceof Failure) throw saved.error;
  }

  /** `true` when saved, `false` when this agent is not persisted, a `Failure` (reported) otherwise. */
  private async saveFor(activation: Activation, occasion: StateSaveOccasion): Promise<boolean | Failure> {
    const persistence = this.persistence;
    if (persistence === undefined || activation.registration === undefined || activation.registration.persistence === 'none') return false;
    try {
      await persistence.save(activation);
      return true;
    } catch (error) {
      this.events.saveFailed(activation.id, occasion, error);
      return new Failure(error);
    }
  }

  /** Saves every live agent persisted on deactivation (the engine stops); failures are returned. */
  async saveAll(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const activation of [...this.activations.values()]) {
      if (activation.registration?.persistence !== 'deactivate' || activation.closing !== undefined) continue;
      const saved = await this.saveFor(activation, 'stop');
      if (saved instanceof Failure) errors.push(saved.error);
    }
    return errors;
  }

  /**
   * Saves and closes every live agent, all of them even if some fail, and forgets them; returns
   * the failures. Instances from `registerAgentInstance` are closed but stay registered.
   */
  async closeAll(): Promise<unknown[]> {
    this.idle.close();
    const errors: unknown[] = [];
    const done = new Set<Activation>();
    // Activations still under way (one waiting for room under the cap, say) finish first and are
    // closed too: none may outlive close().
    for (;;) {
      if (this.pending.size > 0) await Promise.allSettled([...this.pending.values()]);
      const open = [...this.activations.values()].filter((activation) => !done.has(activation));
      if (open.length === 0 && this.pending.size === 0) return errors;
      for (const activation of open) {
        done.add(activation);
        if (activation.closing !== undefined) await activation.closing;
        // Deactivated meanwhile (and perhaps built again: that newer instance is closed in its turn).
        if (this.activations.get(activation.key) !== activation) continue;
        await this.closeOne(activation, errors);
      }
    }
  }

  private async closeOne(activation: Activation, errors: unknown[]): Promise<void> {
    let saved: boolean | Failure = false;
    if (activation.registration !== undefined) {
      saved = await this.saveFor(activation, 'close');
      if (saved instanceof Failure) errors.push(saved.error);
    }
    try {
      await activation.agent.close();
    } catch (error) {
      errors.push(error);
    }
    if (activation.registration !== undefined && this.activations.get(activation.key) === activation) {
      this.activations.delete(activation.key);
      activation.retired = true;
      this.deactivatedCount++;
      this.events.deactivated(activation.id, 'close', saved === true);
    }
  }
}

/** A failure already reported to the event log, carried back to whoever must rethrow it. */
class Failure {
  constructor(readonly error: unknown) {}
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
