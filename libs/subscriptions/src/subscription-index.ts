import type { Subscription } from '@agentopera/types';

/** A held subscription with its place in subscription order and the bucket it was filed under. */
export interface IndexedSubscription {
  readonly seq: number;
  readonly subscription: Subscription;
  /** Copied at subscribe time so a later change to the subscription's hints cannot strand it. */
  readonly topicType: string | undefined;
  readonly topicTypePrefix: string | undefined;
}

type Bucket = IndexedSubscription[];

/**
 * Files subscriptions by their index hints so that a lookup visits only the subscriptions that
 * can concern a channel type: the exact-type bucket, the buckets of those of its prefixes that are
 * subscribed, and the hint-less ones. Each bucket is in subscription order.
 */
export class SubscriptionIndex {
  readonly #byType = new Map<string, Bucket>();
  readonly #byPrefix = new Map<string, Bucket>();
  // Hint-less subscriptions, in one bucket under the key ''.
  readonly #generic = new Map<string, Bucket>();
  // How many subscribed prefixes have each length: a lookup probes only those lengths, not every
  // prefix of the channel type.
  readonly #prefixLengths = new Map<number, number>();

  add(entry: IndexedSubscription): void {
    const [buckets, key] = this.#placeOf(entry);
    const bucket = buckets.get(key);
    if (bucket !== undefined) {
      bucket.push(entry);
      return;
    }
    buckets.set(key, [entry]);
    if (buckets === this.#byPrefix) this.#prefixLengths.set(key.length, (this.#prefixLengths.get(key.length) ?? 0) + 1);
  }

  remove(entry: IndexedSubscription): void {
    const [buckets, key] = this.#placeOf(entry);
    const bucket = buckets.get(key);
    if (bucket === undefined) return;
    bucket.splice(bucket.indexOf(entry), 1);
    if (bucket.length > 0) return;
    buckets.delete(key);
    if (buckets !== this.#byPrefix) return;
    const remaining = (this.#prefixLengths.get(key.length) ?? 1) - 1;
    if (remaining === 0) this.#prefixLengths.delete(key.length);
    else this.#prefixLengths.set(key.length, remaining);
  }

  /** The non-empty buckets that may hold subscriptions matching channels of `type`. */
  bucketsFor(type: string): Bucket[] {
    const buckets: Bucket[] = [];
    const exact = this.#byType.get(type);
    if (exact !== undefined) buckets.push(exact);
    for (const length of this.#prefixLengths.keys()) {
      if (length > type.length) continue;
      const bucket = this.#byPrefix.get(type.slice(0, length));
      if (bucket !== undefined) buckets.push(bucket);
    }
    const generic = this.#generic.get('');
    if (generic !== undefined) buckets.push(generic);
    return buckets;
  }

  /** The subscriptions filed under the same hint as `entry` (all hint-less ones for a hint-less entry). */
  peersOf(entry: Pick<IndexedSubscription, 'topicType' | 'topicTypePrefix'>): readonly IndexedSubscription[] {
    const [buckets, key] = this.#placeOf(entry);
    return buckets.get(key) ?? [];
  }

  // A subscription with both hints can only match its exact type, so that one wins.
  #placeOf(entry: Pick<IndexedSubscription, 'topicType' | 'topicTypePrefix'>): [Map<string, Bucket>, string] {
    if (entry.topicType !== undefined) return [this.#byType, entry.topicType];
    if (entry.topicTypePrefix !== undefined) return [this.#byPrefix, entry.topicTypePrefix];
    return [this.#generic, ''];
  }
}
