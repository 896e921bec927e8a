import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workerScript = fileURLToPath(new URL('./nats-worker.js', import.meta.url));

/** A NATS scenario worker in its own process, with what it last reported. */
export class WorkerProcess {
  delivered = 0;
  slots: string[] = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { type: string; delivered?: number; slots?: string[] }) => {
      if (message.delivered !== undefined) this.delivered = message.delivered;
      if (message.slots !== undefined) this.slots = message.slots;
    });
  }

  static async start(env: Record<string, string>): Promise<WorkerProcess> {
    const child = fork(workerScript, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the NATS bench worker exited (${code}) before it was ready`)));
    });
    return new WorkerProcess(child);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
