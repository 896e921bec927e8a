import { main } from './cli.js';

// The first Ctrl-C cancels the run cleanly; the listener is then gone, so a second one kills it.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
process.exit(code);
