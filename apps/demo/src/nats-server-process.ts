import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './usage-error.js';

/** The server the nats demo runs on: `NATS_URL`'s, or one it started and must stop. */
export interface DemoNatsServer {
  readonly url: string;
  /** True when the demo started it (and removes its store on `close()`). */
  readonly started: boolean;
  /** Stops a server the demo started and removes its store; nothing for `NATS_URL`'s. Safe twice. */
  close(): Promise<void>;
}

export const NATS_SERVER_MISSING =
  'nats-server is not on the PATH and NATS_URL is not set: install it (apt-get install -y nats-server, or see https://docs.nats.io) or set NATS_URL=nats://host:4222';

const READY_TIMEOUT_MS = 20_000;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * `NATS_URL`'s server, or a `nats-server -js` started on a free loopback port with a temporary
 * store. Throws `UsageError` (one line saying how to get it) when there is neither.
 */
export async function openNatsServer(env: NodeJS.ProcessEnv = process.env, binary = 'nats-server'): Promise<DemoNatsServer> {
  const external = env['NATS_URL'];
  if (external) return { url: external, started: false, close: async () => {} };
  if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).status !== 0) throw new UsageError(NATS_SERVER_MISSING);
  installExitHook();
  const storeDir = mkdtempSync(join(tmpdir(), 'agentopera-demo-nats-'));
  let child: ChildProcess;
  let port: number;
  try {
    ({ child, port } = await launch(binary, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', storeDir]));
  } catch (error) {
    rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    started: true,
    async close() {
      if (closed) return;
      closed = true;
      await terminate(child);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Spawns the server and resolves once it logs that it is ready, with the port it chose. */
function launch(binary: string, args: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // Its own process group: Ctrl-C in a terminal reaches the demo, which cancels the run cleanly
    // and then stops the server itself, instead of the server vanishing under the run.
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    running.add(child);
    let log = '';
    let port: number | undefined;
    let ready = false;
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
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (ready) return; // keep draining the pipe so that the server never blocks on it
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

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A demo that exits without its cleanup (an uncaught error, process.exit) still stops the server. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
