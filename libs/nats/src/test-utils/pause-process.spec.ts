import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isStopped, pauseProcess } from './pause-process.js';

describe.skipIf(!existsSync('/proc/self/task'))('pauseProcess', () => {
  it('resolves only once every thread of the process is stopped, and SIGCONT runs it again', async () => {
    // A process with several threads (Node's own: the platform workers, the inspector...).
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(isStopped(child.pid!)).toBe(false);
      await pauseProcess(child.pid!);
      expect(isStopped(child.pid!)).toBe(true);
      child.kill('SIGCONT');
      await expect.poll(() => isStopped(child.pid!)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
