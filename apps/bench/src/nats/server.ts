import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The server for the NATS scenarios: `NATS_URL`'s, or one started from `nats-server` on the PATH
 * (free port, temporary store), or none (the NATS scenarios are then skipped).
 */
export async function natsServerForBench(): Promise<{ url: string; stop: () => void } | undefined> {
  const given = process.env['NATS_URL'];
  if (given) return { url: given, stop: () => {} };
  if (spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const store = mkdtempSync(join(tmpdir(), 'agentopera-bench-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    const stderr = child.stderr;
    if (stderr === null) return reject(new Error('nats-server has no stderr to read'));
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => {
      log += chunk;
      const listening = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (listening && log.includes('Server is ready')) resolve(Number(listening[1]));
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () => {
      child.kill('SIGKILL');
      rmSync(store, { recursive: true, force: true });
    },
  };
}
