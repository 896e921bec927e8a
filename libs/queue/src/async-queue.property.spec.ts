import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';
import type { BaseAsyncQueue } from './base-async-queue.js';
import { QueueEmptyError, QueueFullError, QueueShutDownError, QueueTaskDoneError } from './errors.js';
import { PriorityAsyncQueue } from './priority-async-queue.js';
import { QueueModel, type ModelError, type ModelOutcome } from './test-utils/queue-model.js';

// Model-based test (issue 6): random operations, with concurrent waiting getters, putters and
// joiners, and shutdown in both modes, run against a queue and QueueModel side by side.
// Reproduce a failure with FC_SEED=<printed seed>; FC_RUNS raises the run count.
const SEED = Number(process.env.FC_SEED ?? 20260611);
const RUNS = Number(process.env.FC_RUNS ?? 300);

interface Job {
  readonly priority: number;
  readonly n: number;
}

type Op =
  | { readonly kind: 'put' | 'putNowait'; readonly priority: number }
  | { readonly kind: 'get' | 'getNowait' | 'taskDone' | 'join' }
  | { readonly kind: 'shutdown'; readonly immediate: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('put' as const, 'putNowait' as const), priority: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('get' as const, 'getNowait' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('taskDone' as const, 'join' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shutdown' as const), immediate: fc.boolean() }) },
);

const byPriority = (a: Job, b: Job): number => a.priority - b.priority;

function errorName(error: unknown): ModelError | string {
  if (error instanceof QueueShutDownError) return 'ShutDown';
  if (error instanceof QueueEmptyError) return 'Empty';
  if (error instanceof QueueFullError) return 'Full';
  if (error instanceof QueueTaskDoneError) return 'TaskDone';
  return `unexpected ${String(error)}`;
}

function sync<T>(call: () => T): ModelOutcome<T> | { error: string } {
  try {
    const value = call();
    return { ok: value === undefined ? 'done' : value } as ModelOutcome<T>;
  } catch (error) {
    return { error: errorName(error) };
  }
}

const nowait = (error: ModelError | undefined): ModelOutcome<Job> => (error === undefined ? { ok: 'done' } : { error });

/** Micro- and macrotasks drained: every waiter that can be woken has been. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runAgainstModel(queue: BaseAsyncQueue<Job>, model: QueueModel<Job>, ops: readonly Op[]): Promise<void> {
  const observed = new Map<number, ModelOutcome<Job> | { error: string }>();
  const track = (id: number, promise: Promise<Job | void>): void => {
    promise.then(
      (value) => observed.set(id, { ok: value === undefined ? 'done' : value }),
      (error: unknown) => observed.set(id, { error: errorName(error) }),
    );
  };
  let n = 0;
  for (const [id, o] of ops.entries()) {
    const step = `step ${id} ${JSON.stringify(o)}`;
    switch (o.kind) {
      case 'put': {
        const job = { priority: o.priority, n: n++ };
        track(id, queue.put(job));
        model.put(id, job);
        break;
      }
      case 'putNowait': {
        const job = { priority: o.priority, n: n++ };
        expect(sync(() => queue.putNowait(job)), step).toEqual(nowait(model.putNowait(job)));
        break;
      }
      case 'get':
        track(id, queue.get());
        model.get(id);
        break;
      case 'getNowait':
        expect(sync(() => queue.getNowait()), step).toEqual(model.getNowait());
        break;
      case 'taskDone':
        expect(sync(() => queue.taskDone()), step).toEqual(nowait(model.taskDone()));
        break;
      case 'join':
        track(id, queue.join());
        model.join(id);
        break;
      case 'shutdown':
        queue.shutdown(o.immediate);
        model.shutdown(o.immediate);
        break;
    }
    await settle();
    expect(Object.fromEntries(observed), `waiters after ${step}`).toEqual(Object.fromEntries(model.outcomes));
    expect({ qsize: queue.qsize(), empty: queue.empty(), full: queue.full() }, step).toEqual({
      qsize: model.size,
      empty: model.size === 0,
      full: model.full,
    });
  }
}

const cases: [string, (maxsize: number) => [BaseAsyncQueue<Job>, QueueModel<Job>]][] = [
  ['AsyncQueue', (maxsize) => [new AsyncQueue<Job>(maxsize), new QueueModel<Job>(maxsize)]],
  ['PriorityAsyncQueue', (maxsize) => [new PriorityAsyncQueue<Job>(byPriority, maxsize), new QueueModel<Job>(maxsize, byPriority)]],
];

describe.each(cases)('%s against its reference model', (_name, make) => {
  it('settles every put, get and join as the model predicts, bounded or not, through shutdown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(op, { maxLength: 40 }), async (maxsize, ops) => {
        const [queue, model] = make(maxsize);
        await runAgainstModel(queue, model, ops);
      }),
      { numRuns: RUNS, seed: SEED, verbose: fc.VerbosityLevel.Verbose },
    );
  });

  it('loses and duplicates nothing: every item put comes out exactly once before a graceful shutdown ends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), async (maxsize, priorities, consumers) => {
        const [queue] = make(maxsize);
        const got: number[] = [];
        const consume = async (): Promise<void> => {
          for (;;) {
            try {
              got.push((await queue.get()).n);
            } catch (error) {
              expect(error).toBeInstanceOf(QueueShutDownError);
              return;
            }
            queue.taskDone();
          }
        };
        const running = Array.from({ length: consumers }, consume);
        await Promise.all(priorities.map((priority, n) => queue.put({ priority, n })));
        await queue.join();
        queue.shutdown(false);
        await Promise.all(running);
        expect(got.sort((a, b) => a - b)).toEqual(priorities.map((_p, n) => n));
      }),
      { numRuns: 100, seed: SEED },
    );
  });
});
