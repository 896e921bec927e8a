import { AgentId, CancellationToken, CancelledError, MessageChannel, describeValue, type SendOptions } from '@agentopera/types';

/**
 * What is wrong with a send or publish, checked as every engine checks it at intake: a `TypeError`
 * for a recipient that is not an `AgentId` (a channel that is not a `MessageChannel`), a
 * `CancelledError` for a call whose token (from `callToken`) is cancelled before it was made.
 */
export function callProblem(kind: 'send' | 'publish', destination: unknown, token: CancellationToken | undefined): Error | undefined {
  if (kind === 'send' && !(destination instanceof AgentId)) {
    return new TypeError(`sendMessage needs an AgentId as recipient, got ${describeValue(destination)}`);
  }
  if (kind === 'publish' && !(destination instanceof MessageChannel)) {
    return new TypeError(`publishMessage needs a MessageChannel, got ${describeValue(destination)}`);
  }
  if (token?.isCancelled()) return cancelledError(token, `The ${kind} was cancelled before it was made`);
  return undefined;
}

/**
 * The call's token: the one given, or one made for its `signal` (cancelled at once when the signal
 * has already aborted); throws `TypeError` for a `signal` that is not an `AbortSignal`. Link a live signal with `linkSignal` once the call is under way.
 */
export function callToken(options: SendOptions): CancellationToken | undefined {
  const signal = options.signal;
  if (signal === undefined) return options.cancellationToken;
  if (!(signal instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, got ${describeValue(signal)}`);
  const given = options.cancellationToken;
  if (given === undefined || given.isCancelled() || signal.aborted) {
    const token = given ?? new CancellationToken();
    if (signal.aborted) token.cancel(signal.reason);
    return token;
  }
  return given;
}

/** Cancels `token` when `signal` aborts; the returned function detaches both (and runs `unlinkToken`). */
export function linkSignal(token: CancellationToken, signal: AbortSignal, unlinkToken: (() => void) | undefined): () => void {
  const onAbort = (): void => token.cancel(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let linked = true;
  return () => {
    if (!linked) return;
    linked = false;
    signal.removeEventListener('abort', onAbort);
    unlinkToken?.();
  };
}

/** The error a cancelled call rejects with; its `cause` is what cancelled it (an aborted signal's reason). */
export function cancelledError(token: CancellationToken | undefined, message?: string): CancelledError {
  const reason = token?.reason;
  return new CancelledError(message, reason === undefined ? undefined : { cause: reason });
}
