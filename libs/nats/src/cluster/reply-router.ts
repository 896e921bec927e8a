import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { DeliveryTimeoutError } from '../errors.js';

interface Waiter {
  readonly resolve: (reply: Msg) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export interface ExpectedReply {
  readonly requestId: string;
  /** Where the handler's host publishes the reply (core NATS, not stored). */
  readonly replySubject: string;
  readonly reply: Promise<Msg>;
}

/**
 * Routes RPC replies to their callers: one core subscription per process on
 * `<prefix>.reply.<processId>.>`, the request id in the last token, waiters in a Map. Each waiter
 * has a deadline; past it the caller rejects with `DeliveryTimeoutError`, so no call can hang
 * whatever happened to its handler's host.
 */
export class ReplyRouter {
  private readonly waiters = new Map<string, Waiter>();
  private counter = 0;

  private readonly subscription: Subscription;

  private constructor(
    nc: NatsConnection,
    private readonly replyPrefix: string,
  ) {
    this.subscription = nc.subscribe(`${replyPrefix}.>`, {
      callback: (error, msg) => {
        if (error === null) this.route(msg);
      },
    });
  }

  /** `replyPrefix` is a subject prefix only this process subscribes under. */
  static start(nc: NatsConnection, replyPrefix: string): ReplyRouter {
    return new ReplyRouter(nc, replyPrefix);
  }

  get outstanding(): number {
    return this.waiters.size;
  }

  /**
   * Registers a waiter that rejects with `DeliveryTimeoutError(describe())` after `timeoutMs`
   * (then calls `onTimeout`, e.g. to tell the handler's host that no one waits any more).
   */
  expect(timeoutMs: number, describe: () => string, onTimeout?: () => void): ExpectedReply {
    const requestId = (this.counter++).toString(36);
    const reply = new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(new DeliveryTimeoutError(describe()));
        onTimeout?.();
      }, timeoutMs);
      this.waiters.set(requestId, { resolve, reject, timer });
    });
    return { requestId, replySubject: `${this.replyPrefix}.${requestId}`, reply };
  }

  /** Settles a waiter with `error` (cancellation, a failed publish); false if it had settled. */
  fail(requestId: string, error: unknown): boolean {
    const waiter = this.waiters.get(requestId);
    if (waiter === undefined) return false;
    this.waiters.delete(requestId);
    clearTimeout(waiter.timer);
    waiter.reject(error);
    return true;
  }

  /** Rejects every waiter with `error` and stops listening. */
  close(error: unknown): void {
    this.subscription.unsubscribe();
    for (const [requestId] of this.waiters) this.fail(requestId, error);
  }

  private route(msg: Msg): void {
    const requestId = msg.subject.slice(this.replyPrefix.length + 1);
    const waiter = this.waiters.get(requestId);
    if (waiter === undefined) return; // answered twice (a redelivery) or after its deadline
    this.waiters.delete(requestId);
    clearTimeout(waiter.timer);
    waiter.resolve(msg);
  }
}
