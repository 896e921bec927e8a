import type { Agent, AgentId, CallChain } from '@agentopera/types';
import type { AgentRegistration } from './agent-registration.js';
import { ListNode } from './linked-list.js';
import { CallbackTurn, type Turn, type TurnOwner, type TurnWork } from './turn.js';

/**
 * A serial agent's turns: the running one (the newest link of its chain) and those waiting, in
 * arrival order. Its own node in the `TurnWatch`'s list while messages wait behind the running turn.
 */
export class Turns extends ListNode<Turns> {
  running: Turn | undefined = undefined;
  waiting: Turn[] | undefined = undefined;
  waitingHead = 0;
  /** Monotonic time the first message began to wait behind the running turn (watched turns only). */
  blockedSince = 0;
  /** The running turn was reported as blocked: once per turn. */
  warned = false;

  constructor(readonly activation: Activation) {
    super();
  }

  /** The turns waiting behind the running one, oldest first. */
  *waitingTurns(): IterableIterator<Turn> {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    for (let index = this.waitingHead; index < waiting.length; index++) yield waiting[index];
  }

  get waitingCount(): number {
    return this.waiting === undefined ? 0 : this.waiting.length - this.waitingHead;
  }
}

/** What only some activations need: waiters, queued saves, an idle timeout, turns. */
class ActivationExtras {
  closedWaiters: (() => void)[] | undefined = undefined;
  idleWaiters: (() => void)[] | undefined = undefined;
  saveQueue: (() => void)[] | undefined = undefined;
  timeoutNode: ListNode<Activation> | undefined = undefined;
  turns: Turns | undefined = undefined;
}

const RETIRED = 1;
const CLOSING = 2;
const SAVING = 4;

/**
 * One live instance of an agent and its bookkeeping: the messages in flight (idleness), the
 * serial agent's turns, and the version of its stored state.
 *
 * Turns (serial agents): at most one runs at a time and waiting ones start in arrival order, which
 * is the order their messages left the engine's queue. A call whose chain contains the running
 * turn is part of that turn (the turn is awaiting it), so it runs at once: A→B→A cannot deadlock.
 *
 * An activation is its own node in the idle tracker's least-recently-used list, and its flags share
 * one field: agents under a cap churn through activations by the thousand per second, and each
 * object less per activation is less for the garbage collector to move. What only some need waits
 * in its extras. (Bare agents have no activation at all: see `AgentRegistration.bare`.)
 */
export class Activation extends ListNode<Activation> implements TurnOwner {
  /** Messages accepted for this instance whose handling has not finished (turn waits included). */
  inFlight = 0;
  private flags = 0;
  /** The stored state's version this instance loaded or last wrote; `null`: nothing stored. */
  stateVersion: string | null = null;
  /** Monotonic time it last fell idle: kept for agents with an idle timeout only. */
  idleSince = 0;
  private extras: ActivationExtras | undefined = undefined;

  constructor(
    readonly id: AgentId,
    readonly agent: Agent,
    /** `undefined` for an instance given to `registerAgentInstance`: it can never be rebuilt. */
    readonly registration: AgentRegistration | undefined,
  ) {
    super();
  }

  /** Its extras, made on first need. */
  private withExtras(): ActivationExtras {
    return (this.extras ??= new ActivationExtras());
  }

  /** The directory's key for it: the id's string form (built once by the id). */
  get key(): string {
    return this.id.toString();
  }

  /** Whether its idleness is tracked (an idle timeout or the engine's cap may deactivate it). */
  get tracked(): boolean {
    return this.registration?.tracked === true;
  }

  /** Set once deactivated: the instance is closed and no message may reach it any more. */
  get retired(): boolean {
    return (this.flags & RETIRED) !== 0;
  }

  retire(): void {
    this.flags |= RETIRED;
  }

  /** Whether it is being deactivated: arrivals wait for that to end, then reach a new instance. */
  get closing(): boolean {
    return (this.flags & CLOSING) !== 0;
  }

  /** Marks the start of a deactivation; `endClosing` marks its end, closed or not, and wakes waiters. */
  beginClosing(): void {
    this.flags |= CLOSING;
  }

  endClosing(): void {
    this.flags &= ~CLOSING;
    const extras = this.extras;
    if (extras === undefined) return;
    const waiters = extras.closedWaiters;
    extras.closedWaiters = undefined;
    if (waiters !== undefined) for (const wake of waiters) wake();
  }

  /** Calls `wake` once the deactivation under way has ended (at once when none is). */
  onClosingEnded(wake: () => void): void {
    if (!this.closing) return wake();
    (this.withExtras().closedWaiters ??= []).push(wake);
  }

  whenClosingEnded(): Promise<void> {
    return new Promise<void>((resolve) => this.onClosingEnded(resolve));
  }

  /** Calls `wake` once no message is in flight any more (checked by the directory on `leave`). */
  onIdle(wake: () => void): void {
    (this.withExtras().idleWaiters ??= []).push(wake);
  }

  /** Takes the waiters registered by `onIdle`. */
  takeIdleWaiters(): (() => void)[] | undefined {
    const extras = this.extras;
    if (extras === undefined) return undefined;
    const waiters = extras.idleWaiters;
    extras.idleWaiters = undefined;
    return waiters;
  }

  /**
   * Saves of one instance run one after another, each against the version the previous one wrote.
   * Runs `save` now if no save of this instance is running, else once the ones before it have
   * ended; `save` calls `saveEnded` when it is done.
   */
  startSave(save: () => void): void {
    if ((this.flags & SAVING) === 0) {
      this.flags |= SAVING;
      return save();
    }
    (this.withExtras().saveQueue ??= []).push(save);
  }

  /** Whether a save of this instance is running. */
  get isSaving(): boolean {
    return (this.flags & SAVING) !== 0;
  }

  /** The running save has ended: starts the next one, if any. */
  saveEnded(): void {
    const next = this.extras?.saveQueue?.shift();
    if (next === undefined) {
      this.flags &= ~SAVING;
      if (this.extras !== undefined) this.extras.saveQueue = undefined;
      return;
    }
    next();
  }

  /** @internal Its place among the idle agents with its idle timeout, in expiry order. */
  get timeoutNode(): ListNode<Activation> {
    return (this.withExtras().timeoutNode ??= new ListNode<Activation>(this));
  }

  /**
   * Runs `work` as a turn of this (serial) agent: now if no turn runs or the call belongs to the
   * running turn's chain, else after the turns that arrived before it.
   */
  runTurn<T>(chain: CallChain | undefined, work: TurnWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.startTurn(new CallbackTurn(chain, work, resolve as (value: unknown) => void, reject)));
  }

  private get turns(): Turns {
    return (this.withExtras().turns ??= new Turns(this));
  }

  /** `runTurn` for a `Turn`: one that can start now costs no promise of its own. */
  startTurn(turn: Turn): void {
    const turns = this.turns;
    const running = turns.running;
    // Part of the running turn's chain: the turn is awaiting it, so it runs now, inside that turn.
    if (running !== undefined && chainIncludes(turn.next, running)) return work(turn, turn.next);
    if (running === undefined) return this.start(turn);
    (turns.waiting ??= []).push(turn);
    // The first message to wait behind the running turn starts the watch (`turnBlockedWarningMs`).
    if (!turns.listed && !turns.warned) this.registration?.turnWatch?.block(turns);
  }

  private start(turn: Turn): void {
    this.turns.running = turn;
    turn.owner = this;
    work(turn, turn);
  }

  /** Hands the agent to the next waiting turn synchronously, so no later arrival can jump ahead. */
  endTurn(): void {
    const turns = this.turns;
    turns.running = undefined;
    const waiting = turns.waiting;
    if (waiting === undefined) return;
    const watch = this.registration?.turnWatch;
    watch?.unblock(turns);
    const next = waiting[turns.waitingHead];
    waiting[turns.waitingHead++] = undefined as unknown as Turn;
    if (turns.waitingHead === waiting.length) {
      turns.waiting = undefined;
      turns.waitingHead = 0;
    } else if (turns.waitingHead >= 1024 && turns.waitingHead * 2 >= waiting.length) {
      turns.waiting = waiting.slice(turns.waitingHead);
      turns.waitingHead = 0;
    }
    this.start(next);
    if (watch !== undefined && turns.waiting !== undefined && !turns.listed) watch.block(turns);
  }
}

/** Starts `turn`'s work in `chain`; its end (a throw included) reaches the turn's callbacks. */
function work(turn: Turn, chain: CallChain | undefined): void {
  let result: Promise<unknown>;
  try {
    result = turn.work(chain);
  } catch (error) {
    result = Promise.reject(error);
  }
  result.then(turn.onValue, turn.onError);
}

function chainIncludes(chain: CallChain | undefined, link: CallChain): boolean {
  for (let current = chain; current !== undefined; current = current.next) if (current === link) return true;
  return false;
}
