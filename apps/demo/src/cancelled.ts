import { CancelledError, type CancellationToken } from '@agentopera/core';

/** Stops a handler at its next step once the run is cancelled (Ctrl-C or --timeout). */
export function throwIfCancelled(token: CancellationToken, what: string): void {
  if (token.isCancelled()) throw new CancelledError(`${what} was cancelled`);
}
