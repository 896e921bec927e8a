import type { CallChain } from '@agentopera/types';

/** Work that runs as (or inside) a turn; it receives the call chain its handler runs in. */
export type TurnWork<T> = (chain: CallChain | undefined) => Promise<T>;

/** What a turn's end hands the agent on through (its `Activation`). */
export interface TurnOwner {
  endTurn(): void;
}

/**
 * One message's turn at a serial agent, waiting or running. A running turn is also the newest
 * link of its call chain (`next` is the chain of the call that started it): calls made inside it
 * carry it, which is how a call that comes back to the agent is known to be part of this turn.
 *
 * Subclasses hold what the work needs, so a turn costs one object and its two settle callbacks
 * rather than a closure per step: a serial agent pays this on every message.
 */
export abstract class Turn implements CallChain {
  /** The agent whose turn this is, once it runs as a turn of its own: its end hands the agent on. */
  owner: TurnOwner | undefined = undefined;

  constructor(readonly next: CallChain | undefined) {}

  /** The type of the message this turn handles, for `TurnBlockedEvent`; `'unknown'` when the turn cannot tell. */
  messageType(): string {
    return 'unknown';
  }

  /** Starts the work in `chain`: this turn, or the caller's chain for a call that re-enters a running turn. */
  abstract work(chain: CallChain | undefined): Promise<unknown>;
  protected abstract succeed(value: unknown): void;
  protected abstract fail(error: unknown): void;

  /** Settle callbacks for the work's promise; the next turn starts before this one's caller hears. */
  readonly onValue = (value: unknown): void => {
    this.owner?.endTurn();
    this.succeed(value);
  };
  readonly onError = (error: unknown): void => {
    this.owner?.endTurn();
    this.fail(error);
  };
}

/** A turn around any work, settled through callbacks (`Activation.runTurn`). */
export class CallbackTurn extends Turn {
  constructor(
    chain: CallChain | undefined,
    private readonly run: TurnWork<unknown>,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    super(chain);
  }

  work(chain: CallChain | undefined): Promise<unknown> {
    return this.run(chain);
  }

  protected succeed(value: unknown): void {
    this.resolve(value);
  }

  protected fail(error: unknown): void {
    this.reject(error);
  }
}
