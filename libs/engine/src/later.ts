/**
 * An outcome that was not ready when asked for. Engine steps that usually end at once (a
 * deactivation with a synchronous store, say) return their outcome directly and a `Later` only
 * when they must wait: the common case then allocates no callback at all.
 */
export class Later<T> {
  private ended = false;
  private outcome: T | undefined = undefined;
  private waiters: ((outcome: T) => void)[] | undefined = undefined;

  /** Calls `then` with the outcome: at once if it has arrived, else when it does. */
  onEnd(then: (outcome: T) => void): void {
    if (this.ended) then(this.outcome as T);
    else (this.waiters ??= []).push(then);
  }

  end(outcome: T): void {
    if (this.ended) return;
    this.ended = true;
    this.outcome = outcome;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const then of waiters) then(outcome);
  }
}

/** Calls `then` with `outcome`, now or once it arrives. */
export function whenReady<T>(outcome: T | Later<T>, then: (outcome: T) => void): void {
  if (outcome instanceof Later) outcome.onEnd(then);
  else then(outcome);
}

/** Ends once every `Later` added has ended (or at once when none was). */
export class Countdown {
  private remaining = 1;
  private readonly done = new Later<void>();

  add<T>(later: Later<T>): void {
    this.remaining++;
    later.onEnd(() => this.tick());
  }

  /** Stops adding: the returned `Later` ends when every added one has. */
  seal(): Later<void> {
    this.tick();
    return this.done;
  }

  private tick(): void {
    if (--this.remaining === 0) this.done.end();
  }
}
