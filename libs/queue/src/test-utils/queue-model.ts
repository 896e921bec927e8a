/**
 * A reference model of the `MessageQueue` contract (Python 3.13 `asyncio.Queue` semantics, with
 * waiters served directly in FIFO order) in plain arrays, for model-based tests. Every call that
 * may wait gets an id; `outcomes` says how each of those has settled so far.
 */

export type ModelOutcome<T> = { readonly ok: T | 'done' } | { readonly error: ModelError };

export type ModelError = 'ShutDown' | 'Empty' | 'Full' | 'TaskDone';

export class QueueModel<T> {
  /** In insertion order; `take` picks the first smallest, which keeps FIFO among equals. */
  readonly items: T[] = [];
  private readonly getters: number[] = [];
  private readonly putters: { readonly id: number; readonly item: T }[] = [];
  private readonly joiners: number[] = [];
  private unfinished = 0;
  private isShutDown = false;
  readonly outcomes = new Map<number, ModelOutcome<T>>();

  /** `compare` undefined: FIFO; otherwise smallest first, FIFO among equals. */
  constructor(
    readonly maxsize: number,
    private readonly compare?: (a: T, b: T) => number,
  ) {}

  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  put(id: number, item: T): void {
    if (this.isShutDown) this.outcomes.set(id, { error: 'ShutDown' });
    else if (this.offer(item)) this.outcomes.set(id, { ok: 'done' });
    else this.putters.push({ id, item });
  }

  /** The error `putNowait` throws, if any. */
  putNowait(item: T): ModelError | undefined {
    if (this.isShutDown) return 'ShutDown';
    return this.offer(item) ? undefined : 'Full';
  }

  get(id: number): void {
    if (this.items.length > 0) this.outcomes.set(id, { ok: this.take() });
    else if (this.isShutDown) this.outcomes.set(id, { error: 'ShutDown' });
    else this.getters.push(id);
  }

  getNowait(): ModelOutcome<T> {
    if (this.items.length > 0) return { ok: this.take() };
    return { error: this.isShutDown ? 'ShutDown' : 'Empty' };
  }

  taskDone(): ModelError | undefined {
    if (this.unfinished <= 0) return 'TaskDone';
    this.unfinished--;
    this.finishIfDone();
    return undefined;
  }

  join(id: number): void {
    this.joiners.push(id);
    this.finishIfDone();
  }

  shutdown(immediate: boolean): void {
    this.isShutDown = true;
    if (immediate) {
      const dropped = this.items.length;
      this.items.length = 0;
      this.unfinished = Math.max(0, this.unfinished - dropped);
      this.finishIfDone();
    }
    for (const id of this.getters.splice(0)) this.outcomes.set(id, { error: 'ShutDown' });
    for (const { id } of this.putters.splice(0)) this.outcomes.set(id, { error: 'ShutDown' });
  }

  private offer(item: T): boolean {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      this.unfinished++;
      this.outcomes.set(getter, { ok: item });
      return true;
    }
    if (this.full) return false;
    this.unfinished++;
    this.items.push(item);
    return true;
  }

  private take(): T {
    let index = 0;
    const compare = this.compare;
    if (compare !== undefined) {
      for (let i = 1; i < this.items.length; i++) {
        if (compare(this.items[i]!, this.items[index]!) < 0) index = i;
      }
    }
    const [taken] = this.items.splice(index, 1);
    const putter = this.putters.shift();
    if (putter !== undefined) {
      this.unfinished++;
      this.items.push(putter.item);
      this.outcomes.set(putter.id, { ok: 'done' });
    }
    return taken!;
  }

  private finishIfDone(): void {
    if (this.unfinished !== 0) return;
    for (const id of this.joiners.splice(0)) this.outcomes.set(id, { ok: 'done' });
  }
}
