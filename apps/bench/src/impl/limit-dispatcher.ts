/**
 * The "limit": the least a dispatcher with the engine's semantics can do in plain TypeScript. A
 * ring buffer of jobs, one drain started by a resolved promise, each handler started without
 * awaiting it, the caller's promise settled with the handler's outcome. No ids, context,
 * cancellation, interventions or tracing: what is left is the price of the promises themselves.
 */
type Handler = (message: unknown) => Promise<unknown>;

interface Job {
  message: unknown;
  handler: Handler | null;
  handlers: readonly Handler[] | null;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

const RESOLVED = Promise.resolve();

export class LimitDispatcher {
  private slots: (Job | undefined)[] = new Array<Job | undefined>(1024).fill(undefined);
  private head = 0;
  private count = 0;
  private draining = false;
  private readonly drain = (): void => {
    while (this.count > 0) {
      const job = this.slots[this.head] as Job;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) & (this.slots.length - 1);
      this.count--;
      if (job.handler !== null) job.handler(job.message).then(job.resolve, job.reject);
      else Promise.all((job.handlers as readonly Handler[]).map((h) => h(job.message))).then(job.resolve, job.reject);
    }
    this.draining = false;
  };

  send<R>(handler: Handler, message: unknown): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.push({ message, handler, handlers: null, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Resolves once every handler has handled `message` (the fan-out baseline). */
  publish(handlers: readonly Handler[], message: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.push({ message, handler: null, handlers, resolve: () => resolve(), reject });
    });
  }

  private push(job: Job): void {
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) & (this.slots.length - 1)] = job;
    this.count++;
    if (!this.draining) {
      this.draining = true;
      RESOLVED.then(this.drain);
    }
  }

  private grow(): void {
    const next = new Array<Job | undefined>(this.slots.length * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & (this.slots.length - 1)];
    this.slots = next;
    this.head = 0;
  }
}
