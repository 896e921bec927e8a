import { CancellationToken, CancelledError, describeValue, type SendOptions } from '@agentopera/types';

const NOTHING = (): void => {};

/**
 * The call's token: the one given, or one made for its `signal`, linked so that aborting the
 * signal cancels it; `unlink` detaches the signal once the call has settled.
 */
export function callToken(options: SendOptions): { token: CancellationToken | undefined; unlink: () => void } {
  const signal = options.signal;
  if (signal === undefined) return { token: options.cancellationToken, unlink: NOTHING };
  if (!(signal instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, got ${describeValue(signal)}`);
  const token = options.cancellationToken ?? new CancellationToken();
  if (signal.aborted) {
    token.cancel(signal.reason);
    return { token, unlink: NOTHING };
  }
  const onAbort = (): void => token.cancel(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return { token, unlink: () => signal.removeEventListener('abort', onAbort) };
}

/** The error a cancelled call rejects with; its `cause` is what cancelled it (an aborted signal's reason). */
export function cancelledError(token: CancellationToken | undefined, message?: string): CancelledError {
  const reason = token?.reason;
  return new CancelledError(message, reason === undefined ? undefined : { cause: reason });
}
