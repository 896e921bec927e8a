import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleForChild } from '../../../../tools/vitest/child-bundle.js';
import { fileURLToPath } from 'node:url';
import { pauseProcess } from './pause-process.js';

const LIB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Bundles a TypeScript entry for `node` with the shared child bundler: our libraries inlined from
 * source, npm packages left to node_modules, which is why the bundle sits inside the workspace
 * (in the git-ignored tmp/). Returns the bundle's path and a cleanup.
 */
export async function bundleChildEntry(entry: string): Promise<{ path: string; remove: () => void }> {
  const outDir = join(LIB_ROOT, 'tmp', 'children', randomBytes(6).toString('hex'));
  mkdirSync(outDir, { recursive: true });
  // npm packages stay external, except the helpers the TypeScript transform injects (decorators).
  const external = (id: string): boolean =>
    !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !id.startsWith('@agentopera/') && !id.startsWith('@oxc-project/');
  const path = await bundleForChild(entry, outDir, { external });
  return { path, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** A message a child sends over IPC: `{ type: string, ... }`. */
export type ChildEvent = { readonly type: string } & Record<string, unknown>;

/** A forked child process speaking JSON over IPC. */
export class Child {
  readonly events: ChildEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
  ) {
    process.on('message', (message) => {
      this.events.push(message as ChildEvent);
      for (const wake of this.waiters) wake();
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolveExit) => {
      process.once('exit', (code, signal) => {
        for (const wake of this.waiters) wake();
        resolveExit({ code, signal });
      });
    });
  }

  static spawn(name: string, bundle: string, env: Record<string, string> = {}): Child {
    const child = fork(bundle, [], {
      execArgv: [],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new Child(name, child);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  send(command: Record<string, unknown>): void {
    if (this.alive && this.process.connected) this.process.send(command);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.process.kill(signal);
  }

  /** SIGSTOP, resolved once the process has truly stopped (see `pauseProcess`). */
  async pause(): Promise<void> {
    if (this.alive && this.process.pid !== undefined) await pauseProcess(this.process.pid);
  }

  /** Events of a type seen so far. */
  all(type: string): ChildEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  /** Waits until an event satisfies `predicate` (events already seen count). */
  async waitFor(predicate: (event: ChildEvent) => boolean, timeoutMs = 20_000, what = 'an event'): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (!this.alive) throw new Error(`${this.name} exited before ${what}; its output:\n${this.output}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name} sent no ${what} within ${timeoutMs} ms; its output:\n${this.output}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.min(left, 1000));
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          wake();
        };
        this.waiters.add(done);
      });
    }
  }

  /** Kills it (SIGKILL unless told otherwise) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) {
      if (this.process.signalCode === null) this.process.kill('SIGCONT');
      this.process.kill(signal);
    }
    await this.exited;
  }

  get log(): string {
    return this.output;
  }
}
