import { AsyncResource } from 'node:async_hooks';
import type { MessageQueue } from '@agentopera/queue';
import { EngineStoppedError } from '@agentopera/types';
import type { MessageEnvelope } from './envelopes.js';

type EnvelopeQueue = MessageQueue<MessageEnvelope>;

/** Hands one envelope to the engine (dispatch) or settles it unhandled. */
export type EnvelopeHandler = (envelope: MessageEnvelope, queue: EnvelopeQueue) => void;

/**
 * One `start()`..`stop()` run: drains the queue whenever the engine has put something in it.
 * No promise per envelope: a put schedules one drain (unless one is pending), and a drain
 * dispatches everything queued, in queue order.
 */
export class RunContext {
  readonly finished: Promise<void>;
  /** Cleared by stop(), after which nothing more is dispatched. */
  active = true;
  private scheduled = false;
  private resolveFinished!: () => void;
  private rejectFinished!: (error: unknown) => void;
  private readonly drainInRunContext: () => void;
  private readonly runScope: AsyncResource;

  constructor(
    readonly queue: EnvelopeQueue,
    private readonly dispatch: EnvelopeHandler,
  ) {
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // Every drain runs in the async context of start(), as one long-lived loop would: handlers see
    // the same outer context whoever's put woke the run (which keeps cached handler scopes exact).
    this.runScope = new AsyncResource('AgentOperaRun');
    const drain = (): void => this.drain();
    this.drainInRunContext = () => this.runScope.runInAsyncScope(drain);
    this.notify();
  }

  /** Called after each put: schedules a drain unless one is pending. */
  notify(): void {
    if (this.scheduled || !this.active) return;
    this.scheduled = true;
    RESOLVED.then(this.drainInRunContext);
  }

  /**
   * Ends the run and settles whatever is still queued: each queued send rejects with
   * `EngineStoppedError`, so no caller waits for a message that will never be handled.
   */
  shutdown(): void {
    const queue = this.queue;
    // Non-immediate shutdown first: producers waiting on a full queue fail (their sends reject as
    // stopped), then whatever is still queued is drained here so each caller hears of it.
    queue.shutdown(false);
    this.active = false;
    this.resolveFinished();
    for (;;) {
      let envelope: MessageEnvelope;
      try {
        envelope = queue.getNowait();
      } catch {
        break;
      }
      if (envelope.kind === 'send') {
        envelope.reject(new EngineStoppedError(`The engine stopped before the message to ${envelope.recipient} was handled`));
      }
      envelope.unlinkCancellation?.();
      queue.taskDone();
    }
    queue.shutdown(true);
  }

  private drain(): void {
    this.scheduled = false;
    const queue = this.queue;
    try {
      // Bounded, then continued in a later microtask, as the awaits of a loop would.
      for (let n = 0; n < DRAIN_BATCH && this.active && !queue.empty(); n++) this.dispatch(queue.getNowait(), queue);
    } catch (error) {
      this.active = false;
      this.rejectFinished(error);
      return;
    }
    if (!queue.empty()) this.notify();
  }
}

const RESOLVED = Promise.resolve();
const DRAIN_BATCH = 1024;
