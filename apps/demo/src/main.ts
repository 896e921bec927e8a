import { main } from './cli.js';

// The first Ctrl-C cancels the run cleanly; the listener is then gone, so a second one kills it.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
// SIGTERM (kill, timeout) cancels the same way, so that --engine nats still stops its worker
// processes and the nats-server it started.
process.once('SIGTERM', () => interrupt.abort());

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
process.exit(code);
