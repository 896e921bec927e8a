import { CancelledError } from './errors.js';

/**
 * Cooperative cancellation for a send or publish. The `AbortSignal` view is created only when
 * `signal` is read, so tokens that nobody inspects cost a few fields and no `AbortController`.
 */
export class CancellationToken {
  private cancelled = false;
  private cancelReason: unknown = undefined;
  private callbacks: Set<() => void> | null = null;
  private controller: AbortController | null = null;

  /** Builds a token that is cancelled when `signal` aborts (at once if it already has). */
  static fromSignal(signal: AbortSignal): CancellationToken {
    const token = new CancellationToken();
    if (signal.aborted) {
      token.cancel(signal.reason);
    } else {
      signal.addEventListener('abort', () => token.cancel(signal.reason), { once: true });
    }
    return token;
  }

  /**
   * Cancels the token and runs every callback once. Callbacks that throw do not stop the others;
   * their errors are re-thrown afterwards (an `AggregateError` when several throw). `reason`, if
   * given, becomes the `cause` of the `CancelledError` an engine rejects the call with.
   */
  cancel(reason?: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.cancelReason = reason;
    this.controller?.abort(new CancelledError());
    const callbacks = this.callbacks;
    this.callbacks = null;
    if (!callbacks) return;
    const errors: unknown[] = [];
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cancellation callbacks threw`);
  }

  /** What the token was cancelled with (an aborted signal's `reason`); `undefined` if nothing. */
  get reason(): unknown {
    return this.cancelReason;
  }

  isCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * Runs `callback` on cancellation, or at once if already cancelled. Returns a function that
   * removes the callback, so long-lived tokens do not accumulate callbacks of settled work.
   */
  addCallback(callback: () => void): () => void {
    if (typeof callback !== 'function') {
      throw new TypeError(`CancellationToken.addCallback expects a function, got ${typeof callback}`);
    }
    if (this.cancelled) {
      callback();
      return noop;
    }
    (this.callbacks ??= new Set()).add(callback);
    return () => {
      this.callbacks?.delete(callback);
    };
  }

  /**
   * Returns a promise that settles like `promise`, unless the token is cancelled first, in which
   * case it rejects with `CancelledError`.
   */
  linkFuture<T>(promise: PromiseLike<T>): Promise<T> {
    if (this.cancelled) return Promise.reject(new CancelledError());
    return new Promise<T>((resolve, reject) => {
      const remove = this.addCallback(() => reject(new CancelledError()));
      promise.then(
        (value) => {
          remove();
          resolve(value);
        },
        (error: unknown) => {
          remove();
          reject(error);
        },
      );
    });
  }

  /** An `AbortSignal` that aborts (with a `CancelledError` reason) when the token is cancelled. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(new CancelledError());
    }
    return this.controller.signal;
  }
}

function noop(): void {}
