import { fork, type ChildProcess } from 'node:child_process';
import type { WorkerCommand, WorkerEvent } from './nats-worker-protocol.js';
import { WORKER_ENV } from './nats-worker-protocol.js';

/** What one worker process reported at its end, and how it ended. */
export interface WorkerProcessReport {
  readonly name: string;
  readonly pid: number | undefined;
  readonly processId: string | undefined;
  /** Agents it built, by type (empty if it never reported). */
  readonly agents: ReadonlyMap<string, number>;
  /** Messages its handlers finished. */
  readonly handled: number;
  /** RPCs and publishes its agents made. */
  readonly sent: number;
  readonly published: number;
  /** False when it exited without sending its counts (killed, crashed): then they are zeros. */
  readonly reported: boolean;
  /** `exit 0`, `SIGKILL`, …: it has exited when this report exists. */
  readonly exit: string;
}

const READY_TIMEOUT_MS = 30_000;
/** A worker that does not stop cleanly within this is killed. */
const STOP_TIMEOUT_MS = 15_000;
const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

/** One forked worker process and what it has said. */
class WorkerProcess {
  processId: string | undefined;
  stats: Extract<WorkerEvent, { type: 'stats' }> | undefined;
  failure: string | undefined;
  ready = false;
  private output = '';
  private readonly listeners = new Set<() => void>();
  readonly exited: Promise<string>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (event: WorkerEvent) => {
      if (event.type === 'ready') {
        this.ready = true;
        this.processId = event.processId;
      } else if (event.type === 'stats') {
        this.stats = event;
      } else if (event.type === 'failed') {
        this.failure ??= event.message;
      }
      this.changed();
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.output = (this.output + chunk).slice(-4000)));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        alive.delete(child);
        this.changed();
        resolve(signal ?? `exit ${code}`);
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Why it cannot go on, or undefined while it can. */
  problem(): string | undefined {
    if (this.failure !== undefined) return this.failure;
    if (!this.running) return `exited (${this.child.signalCode ?? `exit ${this.child.exitCode}`})${this.output ? `: ${this.output.trim()}` : ''}`;
    return undefined;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  send(command: WorkerCommand): void {
    if (this.running && this.child.connected) this.child.send(command);
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/**
 * The worker processes of `--engine nats`: `count` children of `entry` (the built
 * nats-worker-main.js) on the server `url` in `cluster`. They never outlive the demo: `stop()` asks
 * them to finish and kills any that does not, and an exit hook kills whatever is left.
 */
export class WorkerProcesses {
  private readonly workers: WorkerProcess[];

  constructor(entry: string, count: number, url: string, cluster: string) {
    installExitHook();
    this.workers = Array.from({ length: count }, (_, index) => {
      const name = `worker-${index + 1}`;
      const child = fork(entry, [], {
        execArgv: [],
        env: { ...process.env, [WORKER_ENV.server]: url, [WORKER_ENV.cluster]: cluster, [WORKER_ENV.name]: name },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      alive.add(child);
      return new WorkerProcess(name, child);
    });
  }

  get count(): number {
    return this.workers.length;
  }

  /** Resolves once every worker has joined the cluster; rejects when one fails first. */
  ready(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const removers: (() => void)[] = [];
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        for (const remove of removers) remove();
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (): void => {
        for (const worker of this.workers) {
          const problem = worker.problem();
          if (problem !== undefined) return finish(new Error(`${worker.name} failed to start: ${problem}`));
        }
        if (this.workers.every((worker) => worker.ready)) finish();
      };
      const onAbort = (): void => finish(new Error('cancelled while the workers were starting'));
      const timer = setTimeout(
        () => finish(new Error(`the workers did not all join within ${READY_TIMEOUT_MS} ms (${this.workers.filter((w) => w.ready).length}/${this.count} ready)`)),
        READY_TIMEOUT_MS,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const worker of this.workers) removers.push(worker.onChange(check));
      check();
    });
  }

  /**
   * Calls `listener` with the name and exit of any worker that exits before `stop()`: the cluster
   * moves its agents to the others, and the demo says so.
   */
  onEarlyExit(listener: (name: string, exit: string) => void): void {
    for (const worker of this.workers) {
      void worker.exited.then((exit) => {
        if (!this.stopping) listener(worker.name, exit);
      });
    }
  }

  private stopping = false;

  /** Asks every worker to close its engine and report; kills those that do not exit in time. */
  async stop(): Promise<WorkerProcessReport[]> {
    this.stopping = true;
    for (const worker of this.workers) worker.send({ type: 'stop' });
    const deadline = setTimeout(() => this.kill(), STOP_TIMEOUT_MS);
    try {
      return await Promise.all(
        this.workers.map(async (worker) => {
          const exit = await worker.exited;
          return {
            name: worker.name,
            pid: worker.child.pid,
            processId: worker.stats?.processId ?? worker.processId,
            agents: new Map(Object.entries(worker.stats?.agents ?? {})),
            handled: worker.stats?.handled ?? 0,
            sent: worker.stats?.sent ?? 0,
            published: worker.stats?.published ?? 0,
            reported: worker.stats !== undefined,
            exit,
          };
        }),
      );
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Kills every worker still running (SIGKILL) and waits for them to exit. */
  async kill(): Promise<void> {
    this.stopping = true;
    for (const worker of this.workers) worker.kill();
    await Promise.all(this.workers.map((worker) => worker.exited));
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of alive) child.kill('SIGKILL');
  });
}
