/**
 * A reference model of `LocalAgentEngine` in plain maps and arrays, for model-based tests: it
 * predicts how every `sendMessage` settles, which agents each message reaches and which agents get
 * built, without queues, promises or tasks.
 *
 * It models the engine as observed at quiescent points (after the event loop has drained pending
 * microtasks): a message enqueued on a running engine has then left the queue, so only messages
 * made while the engine is stopped sit in the model's queue. Slow handlers do not change any
 * prediction: a handler already running when `stop()` is called still settles its caller.
 */

/** What a test handler does with a message; `drop` is dropped by the test's intervention handler. */
export type Behaviour = 'ok' | 'throw' | 'slow' | 'drop';

/** `before`: the token is cancelled before the call; `after`: right after it, in the same tick. */
export type CancelMode = 'none' | 'before' | 'after';

/** Agent keys whose builder throws (the engine must keep nothing half-built). */
export const FAILING_KEY = 'bad';

export interface ModelAgentId {
  readonly type: string;
  readonly key: string;
}

export interface SendCommand {
  readonly kind: 'send';
  readonly id: string;
  readonly recipient: ModelAgentId;
  readonly behaviour: Behaviour;
  readonly cancel: CancelMode;
}

export interface PublishCommand {
  readonly kind: 'publish';
  readonly id: string;
  readonly topic: string;
  readonly source: string;
  readonly sender: ModelAgentId | null;
  readonly behaviour: Behaviour;
  readonly cancel: CancelMode;
}

export type MessageCommand = SendCommand | PublishCommand;

export type EngineCommand =
  | { readonly kind: 'register'; readonly type: string }
  | { readonly kind: 'subscribe'; readonly topic: string; readonly type: string }
  | { readonly kind: 'unsubscribe'; readonly subscriptionId: string }
  | MessageCommand
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'stopWhenIdle' }
  /** Messages made and `stop()` called in one tick (on a stopped engine: `start()` then `stop()`). */
  | { readonly kind: 'burstThenStop'; readonly messages: readonly MessageCommand[] };

export type ErrorKind = 'AgentNotFound' | 'Handler' | 'Builder' | 'Dropped' | 'Cancelled' | 'EngineStopped';

/** How a `sendMessage` (or `publishMessage`) promise settles. */
export type Outcome = { readonly kind: 'reply'; readonly value: string } | { readonly kind: 'rejected'; readonly error: ErrorKind };

/** Result of a command that may be refused (duplicate, unknown, wrong lifecycle state). */
export type CommandResult = 'ok' | 'refused';

export const replyTo = (messageId: string): string => `re:${messageId}`;
export const subscriptionIdOf = (topic: string, type: string): string => `${topic}->${type}`;
export const agentKey = (id: ModelAgentId): string => `${id.type}/${id.key}`;

export class EngineModel {
  readonly registered = new Set<string>();
  /** Subscription id → (topic, agent type), in subscription order. */
  readonly subscriptions = new Map<string, { readonly topic: string; readonly type: string }>();
  running = false;
  /** Messages enqueued while stopped; cancelled ones stay until dispatch discards them. */
  readonly queue: MessageCommand[] = [];
  /** Agents built so far ("type/key"). */
  readonly built = new Set<string>();
  /** Message ids delivered to each agent, in delivery order. */
  readonly deliveries = new Map<string, string[]>();
  /** Predicted settlement of each send / publish promise, by message id. */
  readonly outcomes = new Map<string, Outcome>();

  register(type: string): CommandResult {
    if (this.registered.has(type)) return 'refused';
    this.registered.add(type);
    return 'ok';
  }

  subscribe(topic: string, type: string): CommandResult {
    const id = subscriptionIdOf(topic, type);
    if (this.subscriptions.has(id)) return 'refused';
    this.subscriptions.set(id, { topic, type });
    return 'ok';
  }

  unsubscribe(id: string): CommandResult {
    return this.subscriptions.delete(id) ? 'ok' : 'refused';
  }

  start(): CommandResult {
    if (this.running) return 'refused';
    this.running = true;
    for (const message of this.queue.splice(0)) this.dispatch(message);
    return 'ok';
  }

  stop(): CommandResult {
    if (!this.running) return 'refused';
    this.running = false;
    return 'ok';
  }

  /** Same as `stop()` here: at a quiescent point a running engine has nothing queued. */
  stopWhenIdle(): CommandResult {
    return this.stop();
  }

  /** Every message of the burst (and anything queued before) is discarded by the stop. */
  burstThenStop(messages: readonly MessageCommand[]): void {
    for (const message of messages) this.accept(message, false);
    for (const message of this.queue.splice(0)) {
      if (message.kind === 'send' && !this.outcomes.has(message.id)) {
        this.outcomes.set(message.id, { kind: 'rejected', error: 'EngineStopped' });
      }
    }
    this.running = false;
  }

  /** A send or publish made at a quiescent point. */
  message(message: MessageCommand): void {
    this.accept(message, this.running);
  }

  /** Number of messages the engine should report as unprocessed. */
  get queued(): number {
    return this.queue.length;
  }

  private accept(message: MessageCommand, dispatchNow: boolean): void {
    if (message.cancel === 'before') {
      this.outcomes.set(message.id, { kind: 'rejected', error: 'Cancelled' });
      return;
    }
    if (message.kind === 'send' && !this.registered.has(message.recipient.type)) {
      this.outcomes.set(message.id, { kind: 'rejected', error: 'AgentNotFound' });
      return;
    }
    if (message.cancel === 'after') {
      // Cancelled before the dispatch loop could take it: the caller hears at once, no handler runs.
      if (message.kind === 'send') this.outcomes.set(message.id, { kind: 'rejected', error: 'Cancelled' });
      else this.outcomes.set(message.id, { kind: 'reply', value: 'enqueued' });
    } else if (message.kind === 'publish') {
      this.outcomes.set(message.id, { kind: 'reply', value: 'enqueued' });
    }
    if (dispatchNow) this.dispatch(message);
    else this.queue.push(message);
  }

  private dispatch(message: MessageCommand): void {
    if (message.cancel === 'after') return;
    if (message.kind === 'send') {
      this.outcomes.set(message.id, this.deliverSend(message));
      return;
    }
    if (message.behaviour === 'drop') return;
    for (const recipient of this.recipientsOf(message)) this.deliver(recipient, message.id);
  }

  private deliverSend(message: SendCommand): Outcome {
    if (message.behaviour === 'drop') return { kind: 'rejected', error: 'Dropped' };
    if (!this.deliver(message.recipient, message.id)) return { kind: 'rejected', error: 'Builder' };
    if (message.behaviour === 'throw') return { kind: 'rejected', error: 'Handler' };
    return { kind: 'reply', value: replyTo(message.id) };
  }

  /** Distinct agents the subscriptions map the channel to, minus the sender, of registered types. */
  private recipientsOf(message: PublishCommand): ModelAgentId[] {
    const seen = new Set<string>();
    const recipients: ModelAgentId[] = [];
    for (const { topic, type } of this.subscriptions.values()) {
      if (topic !== message.topic) continue;
      const id = { type, key: message.source };
      const key = agentKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      if (message.sender !== null && agentKey(message.sender) === key) continue;
      if (this.registered.has(type)) recipients.push(id);
    }
    return recipients;
  }

  /** Builds the agent if needed and records the delivery; `false` when its builder throws. */
  private deliver(id: ModelAgentId, messageId: string): boolean {
    if (id.key === FAILING_KEY) return false;
    const key = agentKey(id);
    this.built.add(key);
    const list = this.deliveries.get(key) ?? [];
    list.push(messageId);
    this.deliveries.set(key, list);
    return true;
  }
}
