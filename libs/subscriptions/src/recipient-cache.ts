interface CacheEntry<V> {
  readonly type: string;
  readonly value: V;
}

/**
 * Bounded LRU of per-channel lookups, keyed `"type/source"` (types cannot contain '/', so the key is
 * unambiguous). Entries are also grouped by channel type so a subscription change that concerns
 * one topic type drops only that type's entries.
 */
export class RecipientCache<V> {
  /** Most entries held; 0 disables caching. */
  readonly capacity: number;
  // A Map iterates in insertion order, so re-inserting on every hit keeps the LRU entry first.
  #entries = new Map<string, CacheEntry<V>>();
  #keysByType = new Map<string, Set<string>>();
  // Most recently used key: repeated lookups of one channel skip the re-insertion.
  #lastKey: string | undefined;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(type: string, source: string): V | undefined {
    if (this.#entries.size === 0) return undefined;
    const key = `${type}/${source}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (key !== this.#lastKey) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#lastKey = key;
    }
    return entry.value;
  }

  set(type: string, source: string, value: V): void {
    if (this.capacity === 0) return;
    const key = `${type}/${source}`;
    this.#entries.delete(key);
    this.#entries.set(key, { type, value });
    this.#lastKey = key;
    let keys = this.#keysByType.get(type);
    if (keys === undefined) this.#keysByType.set(type, (keys = new Set()));
    keys.add(key);
    if (this.#entries.size > this.capacity) this.#evictOldest();
  }

  /** Drops the entries of channels of `type`; costs as many steps as there are such entries. */
  invalidateType(type: string): void {
    const keys = this.#keysByType.get(type);
    if (keys === undefined) return;
    for (const key of keys) this.#entries.delete(key);
    this.#keysByType.delete(type);
  }

  /** Drops everything in O(1): the old maps are left to the garbage collector. */
  clear(): void {
    if (this.#entries.size === 0) return;
    this.#entries = new Map();
    this.#keysByType = new Map();
    this.#lastKey = undefined;
  }

  #evictOldest(): void {
    const [key, entry] = this.#entries.entries().next().value as [string, CacheEntry<V>];
    this.#entries.delete(key);
    const keys = this.#keysByType.get(entry.type);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.#keysByType.delete(entry.type);
  }
}
