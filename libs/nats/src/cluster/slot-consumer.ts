import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { isConsumerNotFound } from '../jetstream-errors.js';
import { SlotDrainTimeoutError } from './cluster-errors.js';

/** What became of one delivery, as its handler decides. */
export type DeliveryOutcome =
  /** Done (handled, or an application error already answered): ack it. */
  | 'ack'
  /** Not handled for a reason that passes (the broker or the store is unavailable): redeliver later, uncounted. */
  | 'retry'
  /** This process may no longer act on it (ownership lost): touch nothing, the next owner gets it. */
  | 'abandon';

/** The header of a re-queued copy that counts the failed handler runs of its message so far. */
export const FAILURES_HEADER = 'ao-failures';

export interface SlotConsumerOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly consumer: string;
  /**
   * Handles one delivery. Deliveries arrive in stream order; the handler decides about concurrency.
   * A thrown error is a failed run; a fault of the broker met on the way answers `'retry'` instead.
   * `ackFloor` is the consumer's ack floor as last seen (see `SlotConsumer.ackFloor`).
   */
  readonly handle: (msg: JsMsg, ackFloor: number) => Promise<DeliveryOutcome>;
  /** Copies a message that failed `maxDeliveries` times (`failures` runs) to the dead-letter subject (stored). */
  readonly deadLetter: (msg: JsMsg, reason: string, failures: number) => Promise<void>;
  /**
   * Stores a copy of a message whose handler failed, carrying `failures` in `FAILURES_HEADER`
   * (and a `Nats-Msg-Id` derived from the original's and the count, so a repeat is dropped).
   */
  readonly requeue: (msg: JsMsg, failures: number) => Promise<void>;
  /** Whether this process still owns the slot; asked before every ack, nak and `working()`. */
  readonly mayAct: () => boolean;
  /** The consumer may be gone (deleted during a meta leader election, say): create it if it is missing. */
  readonly recreate?: () => Promise<void>;
  /** Failed handler runs after which a message is dead-lettered. Default 5. */
  readonly maxDeliveries?: number;
  /**
   * Deliveries (the server's count: hand-overs, `ack_wait` expiries and retries included) after
   * which a message is dead-lettered whatever its failures: the backstop for a message that kills
   * its process before a failure can be recorded. Default `max(100, 20 × maxDeliveries)`.
   */
  readonly backstopDeliveries?: number;
  /** Base of the exponential back-off between runs of a failing message. Default 200 ms. */
  readonly redeliveryDelayMs?: number;
  /** How often in-flight messages tell the server they are still being worked on. Default 3 s. */
  readonly workingEveryMs?: number;
  /**
   * How long one pull request waits. Its idle heartbeat is a fifth of it, and two missed beats make
   * the client pull again: after a consumer's leader moved, pulling resumes within about 40% of it.
   * Default 5 s (nats.js's default of 30 s stalled a moved consumer for 13–25 s).
   */
  readonly pullExpiresMs?: number;
  /** Messages per pull. Default 256. */
  readonly batch?: number;
  /** Reports failures nobody awaits (a dead-letter publish that failed, …). */
  readonly onError?: (error: unknown) => void;
}

const MAX_INFRASTRUCTURE_DELAY_MS = 5000;

/**
 * Pulls one slot's durable consumer while this process owns the slot. Each delivery goes to
 * `handle`, whose outcome becomes an ack, a delayed nak, or nothing. Only failed handler runs count
 * towards `maxDeliveries`: a failed run stores a copy carrying the count and acks the
 * original, so the count survives a move to another process, while hand-overs, `ack_wait` expiries
 * and infrastructure retries raise only the server's delivery count, which is kept as a far higher
 * backstop. In-flight messages get `working()` beats, so a long turn is not redelivered while it runs.
 */
export class SlotConsumer {
  private readonly inFlight = new Set<JsMsg>();
  private readonly idle: Array<() => void> = [];
  /** Back-offs of failing messages in progress, ended early when pulling stops. */
  private readonly waits = new Set<() => void>();
  private readonly beat: ReturnType<typeof setInterval>;
  private messages: ConsumerMessages | undefined;
  private consumer: Consumer | undefined;
  private pulling = true;
  /**
   * The consumer's ack floor as last read (every beat): every message of the stream up to this
   * sequence is acknowledged, so (in a work queue) gone and never delivered again. 0 until read.
   */
  ackFloor = 0;
  /** Set when a drain gave up: the running handlers' outcomes are ignored (the next owner redoes them). */
  private givenUp = false;
  private readonly maxDeliveries: number;
  private readonly backstop: number;
  private readonly redeliveryDelayMs: number;

  private constructor(private readonly options: SlotConsumerOptions) {
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.backstop = options.backstopDeliveries ?? Math.max(100, 20 * this.maxDeliveries);
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 200;
    this.beat = setInterval(() => this.working(), options.workingEveryMs ?? 3000);
    this.beat.unref();
  }

  static async start(options: SlotConsumerOptions): Promise<SlotConsumer> {
    const slot = new SlotConsumer(options);
    const consumer = (slot.consumer = await options.js.consumers.get(options.stream, options.consumer));
    if (!slot.pulling) return slot;
    const expires = Math.max(1000, options.pullExpiresMs ?? 5000);
    slot.messages = await consumer.consume({
      max_messages: options.batch ?? 256,
      expires,
      idle_heartbeat: Math.max(500, Math.floor(expires / 5)),
      callback: (msg) => slot.deliver(msg),
    });
    if (!slot.pulling) void slot.messages.close();
    else void slot.watch(slot.messages);
    return slot;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Stops at once (the lease is lost): no more pulls; running handlers may finish, but their
   * outcome is ignored because `mayAct` now says no.
   */
  stopNow(): void {
    this.stopPulling();
    clearInterval(this.beat);
  }

  /**
   * Stops pulling and resolves `true` once every handler already started has settled (and acked),
   * or `false` after `timeoutMs` or when `signal` aborts, if one has not: then nothing more is acked
   * or nak'ed here, the server redelivers those messages to the next owner, and (after a timeout)
   * the stuck handlers are reported.
   */
  async drain(timeoutMs = Infinity, signal?: AbortSignal): Promise<boolean> {
    this.stopPulling();
    const drained = this.inFlight.size === 0 || (await this.idleWithin(timeoutMs, signal));
    clearInterval(this.beat);
    if (!drained) {
      this.givenUp = true;
      // A stop's signal gave up on purpose; a timeout means a handler is stuck.
      if (signal?.aborted !== true) this.options.onError?.(new SlotDrainTimeoutError(this.options.consumer, this.inFlight.size, timeoutMs));
    }
    return drained;
  }

  /** Whether the running handlers all settle before `timeoutMs` passes or `signal` aborts. */
  private idleWithin(timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    const bound = AbortSignal.any([...(Number.isFinite(timeoutMs) ? [AbortSignal.timeout(timeoutMs)] : []), ...(signal === undefined ? [] : [signal])]);
    return new Promise<boolean>((resolve) => {
      const gaveUp = (): void => resolve(false);
      this.idle.push(() => {
        bound.removeEventListener('abort', gaveUp);
        resolve(true);
      });
      if (bound.aborted) gaveUp();
      else bound.addEventListener('abort', gaveUp, { once: true });
    });
  }

  private stopPulling(): void {
    if (!this.pulling) return;
    this.pulling = false;
    void this.messages?.close().catch(() => {});
    for (const done of [...this.waits]) done();
  }

  private mayAct(): boolean {
    return !this.givenUp && this.options.mayAct();
  }

  /** A consumer that vanished under us (nats.js keeps looking for it) is created again. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    const recreate = this.options.recreate;
    if (recreate === undefined) return;
    try {
      for await (const status of await messages.status()) {
        if (!this.pulling) break;
        // Missed heartbeats too: a consumer may vanish without a status reaching us (the
        // deletion's 409 lost with a server); creating an existing one changes nothing.
        const missing = status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'heartbeats_missed';
        if (missing && this.options.mayAct()) await recreate().catch((error: unknown) => this.options.onError?.(error));
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private deliver(msg: JsMsg): void {
    if (!this.pulling) {
      // Arrived in a pull batch after we stopped: hand it back at once for the next owner.
      if (this.mayAct()) msg.nak();
      return;
    }
    const deliveries = msg.info.deliveryCount;
    if (deliveries > this.backstop) {
      this.track(msg, this.kill(msg, `delivered ${deliveries} times without being handled (backstop ${this.backstop})`, failuresOf(msg)));
      return;
    }
    let outcome: Promise<DeliveryOutcome>;
    try {
      outcome = this.options.handle(msg, this.ackFloor);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    this.track(
      msg,
      outcome.then(
        (result) => this.settle(msg, result),
        (error: unknown) => this.failed(msg, error),
      ),
    );
  }

  private async settle(msg: JsMsg, outcome: DeliveryOutcome): Promise<void> {
    if (outcome === 'abandon' || !this.mayAct()) return;
    if (outcome === 'ack') {
      msg.ack();
      return;
    }
    // Until the broker is back: not the message's fault, so not counted.
    msg.nak(Math.min(this.redeliveryDelayMs * 2 ** (msg.info.deliveryCount - 1), MAX_INFRASTRUCTURE_DELAY_MS));
  }

  /** A failed handler run: dead-letter at the maximum, else re-queue a copy counting it after a back-off. */
  private async failed(msg: JsMsg, error: unknown): Promise<void> {
    if (!this.mayAct()) return;
    const failures = failuresOf(msg) + 1;
    if (failures >= this.maxDeliveries) {
      await this.kill(msg, `its handling failed: ${describe(error)} on each of ${failures} deliveries`, failures);
      return;
    }
    await this.backOff(Math.min(this.redeliveryDelayMs * 2 ** (failures - 1), 30_000));
    if (!this.mayAct()) return;
    try {
      await this.options.requeue(msg, failures);
    } catch (requeueError) {
      this.options.onError?.(requeueError);
      if (this.mayAct()) msg.nak(this.redeliveryDelayMs); // this run goes uncounted; the backstop bounds it
      return;
    }
    if (this.mayAct()) msg.ack();
  }

  /** Waits before the next run of a failing message (its `working()` beats go on); ends early when pulling stops. */
  private backOff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waits.add(done);
    });
  }

  /** Dead-letters then acks; if the copy cannot be stored, redelivers instead of losing it. */
  private async kill(msg: JsMsg, reason: string, failures: number): Promise<void> {
    try {
      await this.options.deadLetter(msg, reason, failures);
    } catch (error) {
      this.options.onError?.(error);
      if (this.mayAct()) msg.nak(this.redeliveryDelayMs);
      return;
    }
    // An ack, not term(): on nats-server 2.9 a terminated message stays in a work-queue stream
    // for good, while an ack removes it. The dead-letter stream holds the copy.
    if (this.mayAct()) msg.ack();
  }

  private track(msg: JsMsg, done: Promise<void>): void {
    this.inFlight.add(msg);
    done
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.inFlight.delete(msg);
        if (this.inFlight.size === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
  }

  private working(): void {
    if (!this.mayAct()) return;
    for (const msg of this.inFlight) msg.working();
    // Never lowered: a consumer created again starts lower, but what was acked is gone from the stream.
    // A consumer found missing here is created again too, whatever nats.js reported of it.
    this.consumer?.info().then(
      (info) => (this.ackFloor = Math.max(this.ackFloor, info.ack_floor.stream_seq)),
      (error: unknown) => {
        if (isConsumerNotFound(error) && this.pulling && this.mayAct()) this.options.recreate?.().catch((failure: unknown) => this.options.onError?.(failure));
      },
    );
  }
}

/** Failed runs recorded on this copy of a message (0 for the original). */
export function failuresOf(msg: JsMsg): number {
  const value = Number(msg.headers?.get(FAILURES_HEADER) ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
