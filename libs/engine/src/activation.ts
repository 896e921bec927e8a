import type { Agent, AgentId, CallChain } from '@agentopera/types';
import type { AgentRegistration } from './agent-registration.js';

/** Work that runs as (or inside) a turn; it receives the call chain its handler runs in. */
export type TurnWork<T> = (chain: CallChain | undefined) => Promise<T>;

interface WaitingTurn {
  readonly chain: CallChain | undefined;
  readonly work: TurnWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * One live instance of an agent and its bookkeeping: the messages in flight (idleness), the
 * serial agent's turns, and the version of its stored state.
 *
 * Turns (serial agents): at most one runs at a time and waiting ones start in arrival order, which
 * is the order their messages left the engine's queue. A call whose chain contains the running
 * turn is part of that turn (the turn is awaiting it), so it runs at once: A→B→A cannot deadlock.
 */
export class Activation {
  /** Messages accepted for this instance whose handling has not finished (turn waits included). */
  inFlight = 0;
  /** Set while the instance is being deactivated; arrivals wait for it, then reach a new instance. */
  closing: Promise<void> | undefined = undefined;
  /** Set once deactivated: the instance is closed and no message may reach it any more. */
  retired = false;
  /** Resolvers waiting for this instance to fall idle (deactivation requested while busy). */
  idleWaiters: (() => void)[] | undefined = undefined;
  /** The stored state's version this instance loaded or last wrote; `null`: nothing stored. */
  stateVersion: string | null = null;
  /** The save in progress: saves of one instance run one after another, each against the last version. */
  saving: Promise<unknown> | undefined = undefined;
  /** Monotonic time it last fell idle, for idle timeouts. */
  idleSince = 0;
  private turn: CallChain | undefined = undefined;
  private waiting: WaitingTurn[] = [];
  private waitingHead = 0;

  constructor(
    readonly id: AgentId,
    readonly key: string,
    readonly agent: Agent,
    /** `undefined` for an instance given to `registerAgentInstance`: it can never be rebuilt. */
    readonly registration: AgentRegistration | undefined,
    /** Whether its idleness is tracked (idle timeout or the engine's cap may deactivate it). */
    readonly tracked: boolean,
  ) {}

  /** Whether the engine built it (and may therefore deactivate it and build it again). */
  get rebuildable(): boolean {
    return this.registration !== undefined;
  }

  /**
   * Runs `work` as a turn of this (serial) agent: now if no turn runs or the call belongs to the
   * running turn's chain, else after the turns that arrived before it.
   */
  runTurn<T>(chain: CallChain | undefined, work: TurnWork<T>): Promise<T> {
    const running = this.turn;
    if (running !== undefined && chainIncludes(chain, running)) return work(chain);
    return new Promise<T>((resolve, reject) => {
      const entry: WaitingTurn = { chain, work, resolve: resolve as (value: unknown) => void, reject };
      if (running === undefined) this.start(entry);
      else this.waiting.push(entry);
    });
  }

  private start(entry: WaitingTurn): void {
    const link: CallChain = { next: entry.chain };
    this.turn = link;
    let result: Promise<unknown>;
    try {
      result = entry.work(link);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => {
        this.endTurn();
        entry.resolve(value);
      },
      (error: unknown) => {
        this.endTurn();
        entry.reject(error);
      },
    );
  }

  /** Hands the agent to the next waiting turn synchronously, so no later arrival can jump ahead. */
  private endTurn(): void {
    this.turn = undefined;
    if (this.waitingHead === this.waiting.length) return;
    const next = this.waiting[this.waitingHead];
    this.waiting[this.waitingHead++] = undefined as unknown as WaitingTurn;
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead >= 1024 && this.waitingHead * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
    this.start(next);
  }
}

function chainIncludes(chain: CallChain | undefined, link: CallChain): boolean {
  for (let current = chain; current !== undefined; current = current.next) if (current === link) return true;
  return false;
}
