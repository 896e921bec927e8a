import { describeValue } from '@agentopera/types';
import type { AgentId, MessageChannel, Subscription } from '@agentopera/types';
import { DuplicateSubscriptionError, UnknownSubscriptionError } from './errors.js';
import { RecipientCache } from './recipient-cache.js';
import { mappingKeyOf } from './mapping-key.js';
import { SubscriptionIndex, type IndexedSubscription } from './subscription-index.js';
import { SYNCHRONOUS_RECIPIENTS, type SynchronousRecipients, type SynchronouslyQueriedSubscriptionManager } from './synchronous-recipients.js';

/** Options of `DefaultSubscriptionManager`. */
export interface SubscriptionManagerOptions {
  /** How many channels' recipient lists to keep, least recently used dropped first; 0 disables. Default 10 000. */
  readonly cacheSize?: number;
}

const DEFAULT_CACHE_SIZE = 10_000;
const NO_RECIPIENTS: readonly AgentId[] = Object.freeze([]);

/**
 * The in-memory `SubscriptionManager`. Subscriptions are indexed by their `topicType` /
 * `topicTypePrefix` hints, so a lookup never visits subscriptions of unrelated topic types, and
 * lookups are cached per channel in a bounded LRU that a subscription change invalidates only for
 * the channel types it can affect. Subscribing and unsubscribing cost O(1) amortized (plus the size
 * of the subscription's own bucket for removal, or for duplicate checks of foreign subscriptions).
 */
export class DefaultSubscriptionManager implements SynchronouslyQueriedSubscriptionManager {
  /** Capacity of the per-channel cache. */
  readonly cacheSize: number;
  readonly #byId = new Map<string, IndexedSubscription>();
  // Our own subscriptions by what they map, so equality checks need no scan.
  readonly #byMappingKey = new Map<string, IndexedSubscription>();
  readonly #index = new SubscriptionIndex();
  // The frozen recipient list is shared by every caller; the promise wrapping it is cached too so
  // a cache hit allocates nothing but the key.
  readonly #cache: RecipientCache<CachedRecipients>;
  #nextSeq = 0;
  #snapshot: readonly Subscription[] | undefined;

  constructor(options: SubscriptionManagerOptions = {}) {
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
      throw new TypeError(`Invalid cacheSize ${describeValue(cacheSize)}: it must be a non-negative integer`);
    }
    this.cacheSize = cacheSize;
    this.#cache = new RecipientCache(cacheSize);
  }

  /** How many channels currently have a cached recipient list. */
  get cachedChannelCount(): number {
    return this.#cache.size;
  }

  get subscriptions(): readonly Subscription[] {
    this.#snapshot ??= Object.freeze(Array.from(this.#byId.values(), (entry) => entry.subscription));
    return this.#snapshot;
  }

  async subscribe(subscription: Subscription): Promise<void> {
    const entry = indexEntry(subscription, this.#nextSeq);
    const existing = this.#findEqual(entry);
    if (existing !== undefined) throw new DuplicateSubscriptionError(subscription, existing.subscription);
    this.#nextSeq++;
    this.#byId.set(subscription.id, entry);
    const mappingKey = mappingKeyOf(subscription);
    if (mappingKey !== undefined) this.#byMappingKey.set(mappingKey, entry);
    this.#index.add(entry);
    this.#changed(entry);
  }

  async unsubscribe(id: string): Promise<void> {
    const entry = this.#byId.get(id);
    if (entry === undefined) throw new UnknownSubscriptionError(id);
    this.#byId.delete(id);
    const mappingKey = mappingKeyOf(entry.subscription);
    if (mappingKey !== undefined) this.#byMappingKey.delete(mappingKey);
    this.#index.remove(entry);
    this.#changed(entry);
  }

  /**
   * The distinct agents (by `toString()`) that matching subscriptions map `channel` to, in
   * subscription order. The returned array is frozen and shared: do not try to modify it.
   */
  getSubscribedRecipients(channel: MessageChannel): Promise<readonly AgentId[]> {
    if (typeof channel?.type !== 'string' || typeof channel.source !== 'string') {
      const message = `Invalid message channel ${describeValue(channel)}: expected a MessageChannel`;
      return Promise.reject(new TypeError(message));
    }
    let cached: CachedRecipients;
    try {
      cached = this.#cached(channel);
    } catch (error) {
      // A subscription's isMatch or mapToAgent threw: report it to this caller, cache nothing.
      return Promise.reject(error);
    }
    return (cached.promise ??= Promise.resolve(cached.list));
  }

  /** `getSubscribedRecipients` without the promise; throws what a subscription's `isMatch` or `mapToAgent` threw. */
  readonly [SYNCHRONOUS_RECIPIENTS]: SynchronousRecipients = (channel) => this.#recipientsNow(channel);

  #recipientsNow(channel: MessageChannel): readonly AgentId[] {
    if (typeof channel?.type !== 'string' || typeof channel.source !== 'string') {
      throw new TypeError(`Invalid message channel ${describeValue(channel)}: expected a MessageChannel`);
    }
    return this.#cached(channel).list;
  }

  #cached(channel: MessageChannel): CachedRecipients {
    const cached = this.#cache.get(channel.type, channel.source);
    if (cached !== undefined) return cached;
    const fresh: CachedRecipients = { list: this.#lookup(channel), promise: undefined };
    this.#cache.set(channel.type, channel.source, fresh);
    return fresh;
  }

  #lookup(channel: MessageChannel): readonly AgentId[] {
    const buckets = this.#index.bucketsFor(channel.type);
    const matched: IndexedSubscription[] = [];
    for (const bucket of buckets) {
      for (const entry of bucket) if (entry.subscription.isMatch(channel)) matched.push(entry);
    }
    if (matched.length === 0) return NO_RECIPIENTS;
    // Each bucket is already in subscription order; only a mix of buckets needs merging.
    if (buckets.length > 1) matched.sort((a, b) => a.seq - b.seq);
    const seen = new Set<string>();
    const recipients: AgentId[] = [];
    for (const entry of matched) {
      const agentId = entry.subscription.mapToAgent(channel);
      const key = agentId.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      recipients.push(agentId);
    }
    return Object.freeze(recipients);
  }

  #findEqual(entry: IndexedSubscription): IndexedSubscription | undefined {
    const { subscription } = entry;
    const sameId = this.#byId.get(subscription.id);
    if (sameId !== undefined) return sameId;
    const mappingKey = mappingKeyOf(subscription);
    if (mappingKey !== undefined) return this.#byMappingKey.get(mappingKey);
    // Another implementation's equality is opaque: ask it, but only about subscriptions filed under
    // the same hint, since equal subscriptions describe the same topic.
    if (typeof subscription.equals !== 'function') return undefined;
    return this.#index.peersOf(entry).find((peer) => subscription.equals(peer.subscription));
  }

  #changed(entry: IndexedSubscription): void {
    this.#snapshot = undefined;
    // Only channels of an exact topic type can see an exact-type subscription; prefix and hint-less
    // subscriptions can concern any channel type.
    if (entry.topicType !== undefined) this.#cache.invalidateType(entry.topicType);
    else this.#cache.clear();
  }
}

/** A channel's recipients, and the promise of them made on the first asynchronous lookup. */
interface CachedRecipients {
  readonly list: readonly AgentId[];
  promise: Promise<readonly AgentId[]> | undefined;
}

/** Validates `subscription` and reads its hints once; a `TypeError` names whatever is wrong. */
function indexEntry(subscription: Subscription, seq: number): IndexedSubscription {
  const candidate = subscription as Partial<Subscription> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.isMatch !== 'function' ||
    typeof candidate.mapToAgent !== 'function' ||
    typeof candidate.id !== 'string' ||
    candidate.id === ''
  ) {
    throw new TypeError(
      `Invalid subscription ${describeValue(subscription)}: ` +
        'expected an object with a non-empty string id, isMatch and mapToAgent',
    );
  }
  return {
    seq,
    subscription,
    topicType: hint(subscription, 'topicType'),
    topicTypePrefix: hint(subscription, 'topicTypePrefix'),
  };
}

function hint(subscription: Subscription, name: 'topicType' | 'topicTypePrefix'): string | undefined {
  const value: unknown = subscription[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new TypeError(
    `Invalid ${name} ${describeValue(value)} of subscription ${describeValue(subscription.id)}: it must be a string`,
  );
}
