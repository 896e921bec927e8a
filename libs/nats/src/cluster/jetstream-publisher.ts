import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { AgentOperaError } from '@agentopera/types';
import { onConnectionStatus } from './connection-status.js';

export interface PubAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

/** The server refused to store a message (no stream for the subject, a limit, …). */
export class PublishFailedError extends AgentOperaError {
  override readonly name: string = 'PublishFailedError';
  override readonly code: string = 'PUBLISH_FAILED';
  constructor(
    message: string,
    /** The JetStream error code (`err_code`), or the status code (503: no stream listens). */
    readonly serverCode: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** No PubAck came before the publish's deadline: the message may or may not be stored. */
export class PublishTimeoutError extends PublishFailedError {
  override readonly name: string = 'PublishTimeoutError';
  override readonly code: string = 'PUBLISH_TIMEOUT';
}

/** Status 503: no stream (leader) answered, as while a stream is created or elects a leader. */
const NO_RESPONDERS = 503;
/** Back-off between re-sends after a 503: doubling from the first, capped at the last. */
const NO_RESPONDERS_BACKOFF_MS = [50, 1000] as const;

interface Pending {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs;
  readonly deadline: number;
  readonly resolve: (ack: PubAck) => void;
  readonly reject: (error: unknown) => void;
  /** When to send again if no PubAck came: `retryAfterMs` after an attempt, or a back-off after a 503. */
  retryAt: number;
  /** Answers "no responders" (503) so far. */
  noResponders: number;
}

export interface JetStreamPublisherOptions {
  /** Re-send (same `Nats-Msg-Id`, so the stream keeps one copy) when no PubAck came this long. */
  readonly retryAfterMs?: number;
}

/**
 * Stores messages in JetStream with PubAcks matched to publishes by hand: one core subscription
 * per process instead of a request (and its bookkeeping) per message, which is what limits
 * `js.publish()` with many publishes outstanding. Each publish carries a `Nats-Msg-Id`, so a
 * re-send after a lost PubAck or a reconnect is dropped by the stream's duplicate window.
 */
export class JetStreamPublisher {
  private readonly pending = new Map<string, Pending>();
  private readonly sweep: ReturnType<typeof setInterval>;
  private readonly stopStatus: () => void;
  private readonly subscription: Subscription;
  private counter = 0;
  private closed = false;
  /** Publishes sent again because their PubAck was late (for diagnostics). */
  resent = 0;
  /** Attempts answered "no responders" (503) and sent again after a back-off (for diagnostics). */
  noResponders = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly ackPrefix: string,
    private readonly retryAfterMs: number,
  ) {
    this.subscription = nc.subscribe(`${ackPrefix}.>`, {
      callback: (error, msg) => {
        if (error === null) this.onAck(msg.subject, msg.data, msg.headers);
      },
    });
    this.sweep = setInterval(() => this.resendOverdue(), Math.max(50, Math.floor(retryAfterMs / 2)));
    this.sweep.unref();
    this.stopStatus = onConnectionStatus(nc, (status) => {
      if (status.type === 'reconnect') this.resendOverdue(true);
    });
  }

  /** `ackPrefix` is a subject prefix only this process subscribes under (e.g. `ao.c.ack.<processId>`). */
  static start(nc: NatsConnection, ackPrefix: string, options: JetStreamPublisherOptions = {}): JetStreamPublisher {
    return new JetStreamPublisher(nc, ackPrefix, options.retryAfterMs ?? 2000);
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Resolves with the PubAck once the message is stored, or rejects by `timeoutMs`. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, msgId: string, timeoutMs: number): Promise<PubAck> {
    if (this.closed) return Promise.reject(new PublishFailedError('The publisher is closed', undefined));
    headers.set('Nats-Msg-Id', msgId);
    const token = (this.counter++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      const now = Date.now();
      const entry: Pending = { subject, data, headers, deadline: now + timeoutMs, resolve, reject, retryAt: now + this.retryAfterMs, noResponders: 0 };
      this.pending.set(token, entry);
      try {
        this.nc.publish(subject, data, { headers, reply: `${this.ackPrefix}.${token}` });
      } catch (error) {
        this.pending.delete(token);
        reject(new PublishFailedError(`Could not publish ${data.length} bytes on ${subject}: ${(error as Error).message}`, undefined, { cause: error }));
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    clearTimeout(this.earlySweep);
    this.stopStatus();
    this.subscription.unsubscribe();
    for (const entry of this.pending.values()) entry.reject(new PublishFailedError('The publisher closed before the PubAck', undefined));
    this.pending.clear();
  }

  private onAck(subject: string, data: Uint8Array, headers: MsgHdrs | undefined): void {
    const token = subject.slice(this.ackPrefix.length + 1);
    const entry = this.pending.get(token);
    if (entry === undefined) return; // a late ack of a publish already settled
    if (headers?.hasError && headers.code === NO_RESPONDERS) {
      // Nothing stored it: no stream (yet) or no leader (an election takes seconds). Sent again,
      // same msg id, until the deadline; a stream that never comes fails it there.
      const [first, cap] = NO_RESPONDERS_BACKOFF_MS;
      const delay = Math.min(cap, first * 2 ** Math.min(entry.noResponders, 10));
      entry.retryAt = Date.now() + delay;
      entry.noResponders++;
      this.noResponders++;
      this.sweepIn(delay);
      return;
    }
    this.pending.delete(token);
    if (headers?.hasError) {
      entry.reject(new PublishFailedError(`No stream stored the message on ${entry.subject} (${headers.code} ${headers.description})`, headers.code));
      return;
    }
    let ack: { stream?: string; seq?: number; duplicate?: boolean; error?: { err_code?: number; description?: string } };
    try {
      ack = JSON.parse(new TextDecoder().decode(data));
    } catch (error) {
      entry.reject(new PublishFailedError(`Unreadable PubAck for ${entry.subject}`, undefined, { cause: error }));
      return;
    }
    if (ack.error !== undefined) {
      entry.reject(new PublishFailedError(`JetStream refused the message on ${entry.subject}: ${ack.error.description}`, ack.error.err_code));
      return;
    }
    entry.resolve({ stream: ack.stream ?? '', seq: ack.seq ?? 0, duplicate: ack.duplicate === true });
  }

  /** One early sweep (for a 503's back-off, shorter than the regular sweep's period). */
  private sweepIn(delayMs: number): void {
    if (this.earlySweep !== undefined || this.closed) return;
    this.earlySweep = setTimeout(() => {
      this.earlySweep = undefined;
      this.resendOverdue();
    }, delayMs);
    this.earlySweep.unref();
  }

  private earlySweep: ReturnType<typeof setTimeout> | undefined;

  /** Re-sends what waited too long for its PubAck; rejects what passed its deadline. */
  private resendOverdue(force = false): void {
    const now = Date.now();
    for (const [token, entry] of this.pending) {
      if (now >= entry.deadline) {
        this.pending.delete(token);
        const why = entry.noResponders > 0 ? `; ${entry.noResponders} attempts found no stream to store it (503)` : '';
        entry.reject(new PublishTimeoutError(`No PubAck for the message on ${entry.subject} before its deadline${why}`, entry.noResponders > 0 ? NO_RESPONDERS : undefined));
      } else if (force || now >= entry.retryAt) {
        entry.retryAt = now + this.retryAfterMs;
        this.resent++;
        try {
          this.nc.publish(entry.subject, entry.data, { headers: entry.headers, reply: `${this.ackPrefix}.${token}` });
        } catch {
          // closed or draining: the deadline settles it
        }
      }
    }
  }
}
