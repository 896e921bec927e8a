import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A NATS server for one test file: a `nats-server -js` child on a free loopback port with its own
 * temporary store, so a test can kill and restart it. With `NATS_URL` set, the tests use that
 * server instead; they cannot restart it (`canRestart` is false, see `requireRestartable`).
 */
export interface NatsTestServer {
  readonly url: string;
  /** False when the server is `NATS_URL`'s: the tests that restart their server skip themselves. */
  readonly canRestart: boolean;
  /** The server's process id (undefined for `NATS_URL` or while it is down). */
  readonly pid: number | undefined;
  /** SIGKILL: no goodbye to clients, JetStream recovers its store on the next start. */
  kill(): Promise<void>;
  /** A clean shutdown (SIGTERM). */
  stop(): Promise<void>;
  /** Starts the server again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops the server and removes its store. Safe to call twice. */
  close(): Promise<void>;
}

export const NATS_SERVER_MISSING =
  'nats-server is not on the PATH and NATS_URL is not set: install it (apt-get install -y nats-server) or set NATS_URL=nats://host:4222';

const READY_TIMEOUT_MS = 20_000;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whether a test may restart its server (false with `NATS_URL`). */
export function natsServerCanRestart(): boolean {
  return !process.env['NATS_URL'];
}

/** The note a test passes to `ctx.skip` when it must restart the server but `NATS_URL` is set. */
export const RESTART_SKIP_NOTE = 'skipped: NATS_URL is set and this test must kill or restart its own nats-server';

export interface StartNatsServerOptions {
  /** More `nats-server` flags, e.g. `['--max_payload', '64KB']`… or a config file: `['-c', path]`. */
  readonly extraArgs?: readonly string[];
  /** The executable (tests of the harness itself name a missing one). */
  readonly binary?: string;
}

export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsTestServer> {
  const external = process.env['NATS_URL'];
  if (external) return externalServer(external);
  const binary = options.binary ?? 'nats-server';
  if (!hasBinary(binary)) throw new Error(NATS_SERVER_MISSING);
  installExitHook();
  const storeDir = mkdtempSync(join(tmpdir(), 'agentopera-nats-'));
  const extraArgs = options.extraArgs ?? [];
  // `-p -1` lets the server choose a free port (no race with another test picking ours); restarts
  // then pin that same port so that clients reconnect to it.
  const first = await launch(binary, ['-p', '-1', '-sd', storeDir, ...extraArgs]);
  const port = first.port;
  let child: ChildProcess | undefined = first.child;
  let closed = false;
  const url = `nats://127.0.0.1:${port}`;
  const down = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (current === undefined) return;
    child = undefined;
    await terminate(current, signal);
  };
  return {
    url,
    canRestart: true,
    get pid() {
      return child?.pid;
    },
    kill: () => down('SIGKILL'),
    stop: () => down('SIGTERM'),
    async restart() {
      if (closed) throw new Error('restart() after close()');
      await down('SIGTERM');
      child = (await launch(binary, ['-p', String(port), '-sd', storeDir, ...extraArgs], port)).child;
    },
    async close() {
      if (closed) return;
      closed = true;
      await down('SIGKILL');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function externalServer(url: string): NatsTestServer {
  const refuse = (): Promise<void> => Promise.reject(new Error(RESTART_SKIP_NOTE));
  return { url, canRestart: false, pid: undefined, kill: refuse, stop: refuse, restart: refuse, close: async () => {} };
}

const binaries = new Map<string, boolean>();
export function hasBinary(binary: string): boolean {
  let found = binaries.get(binary);
  if (found === undefined) {
    found = spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
    binaries.set(binary, found);
  }
  return found;
}

/** Spawns the server and resolves once it logs that it is ready, with the port it listens on. */
export function launch(binary: string, args: readonly string[], expectedPort?: number): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-js', '-a', '127.0.0.1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let log = '';
    let port = expectedPort;
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${binary} ${args.join(' ')} ${reason}; its log:\n${log}`));
    };
    const timer = setTimeout(() => fail(`was not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => {
      running.delete(child);
      if (!ready) fail(`exited (${signal ?? code}) before it was ready`);
    });
    let ready = false;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (ready) return; // keep draining the pipe so the server never blocks on a full one
      log += chunk;
      const listening = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (listening) port = Number(listening[1]);
      if (log.includes('Server is ready') && port !== undefined) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, port });
      }
    });
  });
}

/** Sends `signal` and resolves once the process exited (SIGKILL after 10 s). */
export function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

/** A test worker that dies without its afterAll must not leave servers behind. */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
