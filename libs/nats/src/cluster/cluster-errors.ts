import { AgentOperaError } from '@agentopera/types';

/**
 * Handing a slot over waited `timeoutMs` for its running handlers and gave up: their messages are
 * left unacknowledged, so the slot's next owner handles them again.
 */
export class SlotDrainTimeoutError extends AgentOperaError {
  override readonly name: string = 'SlotDrainTimeoutError';
  override readonly code: string = 'SLOT_DRAIN_TIMEOUT';
  constructor(
    readonly consumer: string,
    readonly running: number,
    readonly timeoutMs: number,
  ) {
    super(`Consumer ${consumer}: ${running} handler(s) still running after ${timeoutMs} ms of hand-over; left to the next owner`);
  }
}

/** The watch of one of a cluster's KV buckets (`leases`, …) ended or failed while in use; it is started again. */
export class WatchInterruptedError extends AgentOperaError {
  override readonly name: string = 'WatchInterruptedError';
  override readonly code: string = 'WATCH_INTERRUPTED';
  constructor(
    readonly watched: string,
    options?: ErrorOptions,
  ) {
    super(`The watch of the ${watched} bucket ended; watching it again`, options);
  }
}
