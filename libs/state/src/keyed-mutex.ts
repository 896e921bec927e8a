/**
 * Runs tasks one at a time per key, in the order they asked; tasks of other keys are not held up.
 * A key holds memory only while a task for it is running or waiting.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<R>(key: string, task: () => Promise<R>): Promise<R> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    this.#tails.set(key, tail);
    try {
      if (previous) await previous;
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a running or waiting task (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
