import { readdirSync, readFileSync } from 'node:fs';

/**
 * Sends SIGSTOP and resolves once every thread of the process is stopped. A stop takes effect only
 * when the kernel next runs one of the process's threads: on a loaded machine a paused
 * `nats-server` still answered for milliseconds after `kill()` returned (a save a test meant to
 * time out was stored). Where `/proc` cannot tell (not Linux), it resolves at once.
 */
export async function pauseProcess(pid: number, timeoutMs = 10_000): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + timeoutMs;
  while (!isStopped(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} was sent SIGSTOP but did not stop within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Whether every thread of the process is stopped (`T` in its `/proc` stat); true when `/proc` cannot tell. */
export function isStopped(pid: number): boolean {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return threads.every((thread) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8');
    } catch {
      return true; // the thread is gone
    }
    // "pid (comm) S …": the state follows the command name, which may itself hold parentheses.
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state === 'T' || state === 't';
  });
}
