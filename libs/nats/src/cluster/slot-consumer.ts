import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';

/** What became of one delivery, as its handler decides. */
export type DeliveryOutcome =
  /** Done (handled, or an application error already answered): ack it. */
  | 'ack'
  /** Failed for a reason that may pass (infrastructure, a handler error on a publish): redeliver later. */
  | 'retry'
  /** This process may no longer act on it (ownership lost): touch nothing, the next owner gets it. */
  | 'abandon';

export interface SlotConsumerOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly consumer: string;
  /** Handles one delivery. Deliveries arrive in stream order; the handler decides about concurrency. */
  readonly handle: (msg: JsMsg) => Promise<DeliveryOutcome>;
  /** Copies a message that failed `maxDeliveries` times to the dead-letter subject (stored). */
  readonly deadLetter: (msg: JsMsg, reason: string) => Promise<void>;
  /** Whether this process still owns the slot; asked before every ack, nak and `working()`. */
  readonly mayAct: () => boolean;
  /** Deliveries after which a failing message is dead-lettered. Default 5. */
  readonly maxDeliveries?: number;
  /** Base of the exponential back-off of a `retry`. Default 200 ms. */
  readonly redeliveryDelayMs?: number;
  /** How often in-flight messages tell the server they are still being worked on. Default 3 s. */
  readonly workingEveryMs?: number;
  /** Messages per pull. Default 256. */
  readonly batch?: number;
  /** Reports failures nobody awaits (a dead-letter publish that failed, …). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Pulls one slot's durable consumer while this process owns the slot. Each delivery goes to
 * `handle`, whose outcome becomes an ack, a delayed nak, or nothing; a message delivered more than
 * `maxDeliveries` times, or failing on its last allowed delivery, is copied to the dead-letter
 * subject and acknowledged. In-flight messages get `working()` beats, so a long turn is not
 * redelivered while it runs.
 */
export class SlotConsumer {
  private readonly inFlight = new Set<JsMsg>();
  private readonly idle: Array<() => void> = [];
  private readonly beat: ReturnType<typeof setInterval>;
  private messages: ConsumerMessages | undefined;
  private pulling = true;
  private readonly maxDeliveries: number;
  private readonly redeliveryDelayMs: number;

  private constructor(private readonly options: SlotConsumerOptions) {
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 200;
    this.beat = setInterval(() => this.working(), options.workingEveryMs ?? 3000);
    this.beat.unref();
  }

  static async start(options: SlotConsumerOptions): Promise<SlotConsumer> {
    const slot = new SlotConsumer(options);
    const consumer = await options.js.consumers.get(options.stream, options.consumer);
    if (!slot.pulling) return slot;
    slot.messages = await consumer.consume({
      max_messages: options.batch ?? 256,
      callback: (msg) => slot.deliver(msg),
    });
    if (!slot.pulling) void slot.messages.close();
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

  /** Stops pulling and resolves once every handler already started has settled (and acked). */
  async drain(): Promise<void> {
    this.stopPulling();
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    clearInterval(this.beat);
  }

  private stopPulling(): void {
    if (!this.pulling) return;
    this.pulling = false;
    void this.messages?.close().catch(() => {});
  }

  private deliver(msg: JsMsg): void {
    if (!this.pulling) {
      // Arrived in a pull batch after we stopped: hand it back at once for the next owner.
      if (this.options.mayAct()) msg.nak();
      return;
    }
    const deliveries = msg.info.deliveryCount;
    if (deliveries > this.maxDeliveries) {
      this.track(msg, this.kill(msg, `delivered ${deliveries} times (more than ${this.maxDeliveries})`));
      return;
    }
    let outcome: Promise<DeliveryOutcome>;
    try {
      outcome = this.options.handle(msg);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    this.track(
      msg,
      outcome.then(
        (result) => this.settle(msg, result, undefined),
        (error: unknown) => this.settle(msg, 'retry', error),
      ),
    );
  }

  private async settle(msg: JsMsg, outcome: DeliveryOutcome, error: unknown): Promise<void> {
    if (outcome === 'abandon' || !this.options.mayAct()) return;
    if (outcome === 'ack') {
      msg.ack();
      return;
    }
    const deliveries = msg.info.deliveryCount;
    if (deliveries >= this.maxDeliveries) {
      const reason = error === undefined ? 'its handling failed' : `its handling failed: ${describe(error)}`;
      await this.kill(msg, `${reason} on each of ${deliveries} deliveries`);
      return;
    }
    msg.nak(Math.min(this.redeliveryDelayMs * 2 ** (deliveries - 1), 30_000));
  }

  /** Dead-letters then acks; if the copy cannot be stored, redelivers instead of losing it. */
  private async kill(msg: JsMsg, reason: string): Promise<void> {
    try {
      await this.options.deadLetter(msg, reason);
    } catch (error) {
      this.options.onError?.(error);
      if (this.options.mayAct()) msg.nak(this.redeliveryDelayMs);
      return;
    }
    // An ack, not term(): on nats-server 2.9 a terminated message stays in a work-queue stream
    // for good, while an ack removes it. The dead-letter stream holds the copy.
    if (this.options.mayAct()) msg.ack();
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
    if (!this.options.mayAct()) return;
    for (const msg of this.inFlight) msg.working();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
