import type { DeactivationReason, StateSaveOccasion } from '@agentopera/telemetry';
import { AgentId, describeValue, isNoOpLifecycle, type Agent, type EngineState } from '@agentopera/types';
import { Activation } from './activation.js';
import type { AgentRegistration } from './agent-registration.js';
import { BareDeliveries } from './bare-deliveries.js';
import type { AgentStatePersistence } from './agent-state-persistence.js';
import type { EngineEventLog } from './engine-event-log.js';
import { callLifecycle, Failure } from './failure.js';
import { IdleTracker } from './idle-tracker.js';
import { Later, whenReady } from './later.js';
import { PendingActivation, type BUILDING } from './pending-activation.js';
import { TurnNotCommittedError } from './turn-not-committed-error.js';

/**
 * The live instances of an engine's agents and how they leave: deactivation (once idle: save,
 * close, drop), saving on stop, closing them all. `AgentDirectory` adds how they arrive
 * (registration, lookup, activation).
 *
 * A deactivation marks the instance closing before it saves: from then on arrivals wait for it to
 * end and reach the next instance, never the closing one. A failed save ends the deactivation with
 * the instance still live (reported), to be tried again later.
 */
export abstract class LiveAgents {
  /** Instances built (or registered) so far, and instances deactivated. */
  activatedCount = 0;
  deactivatedCount = 0;
  /**
   * Live instances by id string: an `Activation`, or the agent itself for a bare (plain) agent.
   * @internal
   */
  protected readonly activations = new Map<string, Activation | Agent>();
  /** @internal */
  protected readonly bare = new BareDeliveries();
  /** @internal */
  protected readonly pending = new Map<string, PendingActivation | typeof BUILDING>();
  /** @internal */
  protected readonly idle: IdleTracker;
  /** @internal Deactivations under way: those agents are already on their way out of the cap. */
  protected closingCount = 0;

  /** @internal */
  protected readonly events: EngineEventLog;
  /** @internal */
  protected readonly persistence: AgentStatePersistence | undefined;

  /** @internal */
  constructor(events: EngineEventLog, persistence: AgentStatePersistence | undefined) {
    this.events = events;
    this.persistence = persistence;
    this.idle = new IdleTracker((activation) => this.deactivateThen(activation, 'idle', ignore));
  }

  /** Live instances (including those registered with `registerAgentInstance`). */
  get activeCount(): number {
    return this.activations.size;
  }

  /** Every live instance, in activation order; a bare agent becomes a full activation on the way. */
  *live(): IterableIterator<Activation> {
    for (const [key, entry] of this.activations) yield entry instanceof Activation ? entry : this.promote(key, entry);
  }

  /** Every live agent by id string, in activation order, bare ones as they are. */
  *agents(): IterableIterator<[string, Agent]> {
    for (const [key, entry] of this.activations) yield [key, entry instanceof Activation ? entry.agent : entry];
  }

  /** The state of every live agent, keyed by `agentId.toString()` (an engine's `saveState`). */
  async saveStates(): Promise<EngineState> {
    const state: EngineState = {};
    for (const [key, agent] of [...this.agents()]) state[key] = await agent.saveState();
    return state;
  }

  /** A message accepted by `enter` is done with `activation`. */
  abstract leave(activation: Activation): void;

  /** @internal */
  protected abstract registrationOf(type: string): AgentRegistration | undefined;

  /**
   * Makes a bare agent a full activation (to deactivate it, say). Deliveries that reached it bare
   * may still be running: it counts as busy until every delivery of that epoch has finished.
   * @internal
   */
  protected promote(key: string, agent: Agent, id: AgentId = AgentId.fromStr(key)): Activation {
    const activation = new Activation(id, agent, this.registrationOf(id.type));
    this.activations.set(key, activation);
    const epoch = this.bare.cut();
    if (epoch.count > 0) {
      activation.inFlight++;
      epoch.onDrained(() => this.leave(activation));
    }
    return activation;
  }

  /**
   * Deactivates the live instance of `id`: once it is idle, saves its state, closes it and drops
   * it. `false` when it is not active or was registered as an instance (it could not be rebuilt).
   * Rejects, leaving the agent active, when its state cannot be saved.
   */
  deactivate(id: AgentId): Promise<boolean> {
    if (!(id instanceof AgentId)) return Promise.reject(new TypeError(`deactivate needs an AgentId, got ${describeValue(id)}`));
    const key = id.toString();
    const entry = this.activations.get(key);
    if (entry === undefined) return Promise.resolve(false);
    const activation = entry instanceof Activation ? entry : this.promote(key, entry, id);
    return new Promise<boolean>((resolve, reject) => {
      this.deactivateThen(activation, 'requested', (result) => (result instanceof Failure ? reject(result.error) : resolve(result)));
    });
  }

  /**
   * Deactivation on idle: new messages keep being accepted until the instance is idle (waiting
   * could deadlock a call chain that is waiting on this very agent); from then on arrivals wait for
   * the next instance. `done` gets whether it was deactivated, or the save's (reported) failure.
   * @internal
   */
  protected deactivateThen(activation: Activation, reason: DeactivationReason, done: (result: boolean | Failure) => void): void {
    whenReady(this.deactivateNow(activation, reason), done);
  }

  /**
   * `deactivateThen` that returns its outcome when it ends at once (an idle agent, a synchronous
   * store, no-op `saveState` and `close`: no callback allocated), else a `Later` of it.
   * @internal
   */
  protected deactivateNow(activation: Activation, reason: DeactivationReason): boolean | Failure | Later<boolean | Failure> {
    if (activation.registration === undefined || activation.retired) return false;
    if (activation.closing) {
      const later = new Later<boolean | Failure>();
      activation.onClosingEnded(() => later.end(activation.retired));
      return later;
    }
    if (activation.inFlight > 0) {
      const later = new Later<boolean | Failure>();
      activation.onIdle(() => this.deactivateThen(activation, reason, (result) => later.end(result)));
      return later;
    }
    if (this.activations.get(activation.key) !== activation) return false;
    this.idle.busy(activation);
    activation.beginClosing();
    this.closingCount++;
    const saved = this.saveForNow(activation, 'deactivate');
    if (saved !== undefined) return this.closeAfterSave(activation, reason, saved);
    const later = new Later<boolean | Failure>();
    this.saveFor(activation, 'deactivate', (result) => whenReady(this.closeAfterSave(activation, reason, result), (outcome) => later.end(outcome)));
    return later;
  }

  private closeAfterSave(activation: Activation, reason: DeactivationReason, saved: boolean | Failure): boolean | Failure | Later<boolean | Failure> {
    if (saved instanceof Failure) {
      this.closingCount--;
      activation.endClosing();
      if (activation.tracked && activation.inFlight === 0) this.idle.idle(activation);
      return saved;
    }
    if (isNoOpLifecycle(activation.agent.close)) return this.dropClosed(activation, reason, saved);
    const later = new Later<boolean | Failure>();
    callLifecycle(activation.agent, 'close', undefined, undefined, (closeFailure) => {
      if (closeFailure !== undefined) this.events.unobserved(`closing ${activation.id.toString()} on deactivation failed`, closeFailure.error);
      later.end(this.dropClosed(activation, reason, saved));
    });
    return later;
  }

  private dropClosed(activation: Activation, reason: DeactivationReason, saved: boolean): true {
    this.activations.delete(activation.key);
    activation.retire();
    this.closingCount--;
    this.deactivatedCount++;
    this.events.deactivated(activation.id, reason, saved);
    activation.endClosing();
    return true;
  }

  /**
   * Saves after a handled message (`persistence: 'turn'`); the caller's result waits for it. An
   * instance dropped meanwhile (`discard`) saves nothing: its memory cannot be trusted.
   */
  saveTurn(activation: Activation): Promise<void> {
    if (activation.retired) return Promise.reject(new TurnNotCommittedError(activation.id));
    return new Promise<void>((resolve, reject) => this.saveFor(activation, 'turn', (saved) => (saved instanceof Failure ? reject(saved.error) : resolve())));
  }

  /**
   * A turn of `activation` failed (its handler threw or was cancelled, or its save failed): its
   * memory may hold half-done changes, so the instance is dropped unsaved at once and the next
   * message rebuilds the agent from its last committed state. Turns still waiting on it move to
   * the next instance as they start; it is closed once nothing runs on it any more.
   */
  discard(activation: Activation): void {
    if (activation.registration === undefined || activation.retired) return;
    if (this.activations.get(activation.key) === activation) this.activations.delete(activation.key);
    activation.retire();
    this.idle.busy(activation);
    this.deactivatedCount++;
    this.events.deactivated(activation.id, 'failed-turn', false);
    const close = (): void =>
      callLifecycle(activation.agent, 'close', undefined, undefined, (failure) => {
        if (failure !== undefined) this.events.unobserved(`closing ${activation.id.toString()} after a failed turn failed`, failure.error);
      });
    if (activation.inFlight === 0) close();
    else activation.onIdle(close);
  }

  /**
   * `true` once no handler of `activation` runs (at once when none does), `false` when `signal`
   * aborts first: what `stop()` and `close()` wait for before they save an agent.
   */
  private untilIdle(activation: Activation, signal: AbortSignal | undefined): boolean | Promise<boolean> {
    if (activation.inFlight === 0) return true;
    if (signal?.aborted === true) return false;
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      activation.onIdle(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** `true` when saved, `false` when this agent is not persisted, a `Failure` (reported) otherwise. */
  private saveFor(activation: Activation, occasion: StateSaveOccasion, done: (saved: boolean | Failure) => void): void {
    const persistence = this.persistence;
    if (persistence === undefined || activation.registration === undefined || activation.registration.persistence === 'none') return done(false);
    persistence.saveThen(activation, (failure) => {
      if (failure === undefined) return done(true);
      this.events.saveFailed(activation.id, occasion, failure.error);
      done(failure);
    });
  }

  /** `saveFor` when the save can end at once (see `AgentStatePersistence.saveNowIfImmediate`); `undefined` otherwise. */
  private saveForNow(activation: Activation, occasion: StateSaveOccasion): boolean | Failure | undefined {
    const persistence = this.persistence;
    if (persistence === undefined || activation.registration === undefined || activation.registration.persistence === 'none') return false;
    const failure = persistence.saveNowIfImmediate(activation);
    if (failure === undefined) return undefined;
    if (failure === null) return true;
    this.events.saveFailed(activation.id, occasion, failure.error);
    return failure;
  }

  private save(activation: Activation, occasion: StateSaveOccasion): Promise<boolean | Failure> {
    return new Promise((resolve) => this.saveFor(activation, occasion, resolve));
  }

  /**
   * Saves every live agent persisted on deactivation (the engine stops), each once none of its
   * handlers runs; failures are returned. Once `signal` aborts, an agent still busy is not saved:
   * its stored state stays the last committed one.
   */
  async saveAll(signal?: AbortSignal): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const activation of [...this.activations.values()]) {
      if (!(activation instanceof Activation)) continue; // bare: nothing persisted
      if (activation.registration?.persistence !== 'deactivate') continue;
      if (activation.inFlight > 0 && !(await this.untilIdle(activation, signal))) continue;
      // Deactivated (or being deactivated) since the list was taken: its deactivation saved it, and
      // a later instance may own the state by now.
      if (activation.closing || activation.retired || this.activations.get(activation.key) !== activation) continue;
      const saved = await this.save(activation, 'stop');
      if (saved instanceof Failure) errors.push(saved.error);
    }
    return errors;
  }

  /**
   * Saves and closes every live agent, each once none of its handlers runs, all of them even if
   * some fail, and forgets them; returns the failures. Instances from `registerAgentInstance` are
   * closed but stay registered. Once `signal` aborts, an agent still busy is closed unsaved.
   */
  async closeAll(signal?: AbortSignal): Promise<unknown[]> {
    this.idle.close();
    const errors: unknown[] = [];
    const done = new Set<Activation>();
    // Activations still under way (one waiting for room under the cap, say) finish first and are
    // closed too: none may outlive close().
    for (;;) {
      const pending = [...this.pending.values()].filter((entry) => entry instanceof PendingActivation);
      if (pending.length > 0) await Promise.allSettled(pending.map((entry) => entry.promise()));
      const open = [...this.live()].filter((activation) => !done.has(activation));
      if (open.length === 0 && this.pending.size === 0) return errors;
      for (const activation of open) {
        done.add(activation);
        if (activation.closing) await activation.whenClosingEnded();
        const idle = activation.inFlight === 0 || (await this.untilIdle(activation, signal));
        // Deactivated meanwhile (and perhaps built again: that newer instance is closed in its turn).
        if (this.activations.get(activation.key) !== activation || activation.retired) continue;
        await this.closeOne(activation, errors, idle);
      }
    }
  }

  /** Saves (unless a handler still runs on it: `idle` false) and closes one agent, and forgets it. */
  private async closeOne(activation: Activation, errors: unknown[], idle: boolean): Promise<void> {
    let saved: boolean | Failure = false;
    if (activation.registration !== undefined && idle) {
      saved = await this.save(activation, 'close');
      if (saved instanceof Failure) errors.push(saved.error);
    }
    try {
      await activation.agent.close();
    } catch (error) {
      errors.push(error);
    }
    if (activation.registration !== undefined && this.activations.get(activation.key) === activation) {
      this.activations.delete(activation.key);
      // A handler still running on it (close() gave up waiting) saves nothing when it ends.
      activation.retire();
      this.deactivatedCount++;
      this.events.deactivated(activation.id, 'close', saved === true);
    }
  }
}

/** A completion nobody waits for: the outcome was already reported to the event log. */
export function ignore(): void {}
