import { execFileSync } from 'node:child_process';

/** Environment for Nx in a throw-away workspace: no daemon, no cloud, no interactive UI. */
export const NX_ENV: NodeJS.ProcessEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false' };

/**
 * Runs a command to completion and returns its stdout; on failure the error carries stdout and
 * stderr, so a failing test shows what the tool said.
 */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  // Plain output, so tests can match what tools print.
  const { FORCE_COLOR: _forceColor, ...inherited } = process.env;
  try {
    return execFileSync(command, args, {
      cwd,
      env: { ...inherited, NO_COLOR: '1', ...NX_ENV, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}: ${failed.message}\n--- stdout\n${failed.stdout ?? ''}\n--- stderr\n${failed.stderr ?? ''}`,
    );
  }
}

/** Runs a Node script (a tool's bin) with the Node running the tests. */
export function runNode(script: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return run(process.execPath, [script, ...args], cwd, env);
}
