import { parseQueueChoice, parseTracerChoice, type QueueChoice, type TracerChoice } from './components.js';
import { UsageError } from './usage-error.js';

/** The parsed command line. */
export interface DemoOptions {
  help: boolean;
  /** Folder to analyse; undefined: the repository's own Markdown and TypeScript files. */
  input: string | undefined;
  queue: QueueChoice;
  tracer: TracerChoice;
  /** Cancel the run after this many milliseconds; undefined: no limit. */
  timeoutMs: number | undefined;
  /** Keep every agent's state in a `FileStateStore` in this folder (a later run resumes from it). */
  stateDir: string | undefined;
  /** The engine's `maxActiveAgents`; undefined: no cap. */
  maxAgents: number | undefined;
  shardSize: number;
  top: number;
  /** `local`: the embedded LocalAgentEngine; `nats`: NatsAgentEngine with the workers in child processes. */
  engine: EngineChoice;
  /** Worker processes for `--engine nats`. */
  workers: number;
}

export type EngineChoice = 'local' | 'nats';
export const DEFAULT_WORKERS = 3;
/** More processes than this only slow a one-machine demo down. */
const MAX_WORKERS = 64;

export const DEFAULT_SHARD_SIZE = 8;
export const DEFAULT_TOP = 5;
/** setTimeout's limit; longer delays would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const VALUE_FLAGS = ['--input', '--queue', '--tracer', '--timeout', '--state-dir', '--max-agents', '--shard-size', '--top', '--engine', '--workers'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/**
 * Parses the arguments after `node main.js`. Flags take their value as the next argument or after
 * `=`; a later flag overrides an earlier one. Throws `UsageError` for anything it does not accept,
 * unless `--help`/`-h` is among the arguments.
 */
export function parseArgs(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = {
    help: false,
    input: undefined,
    queue: { kind: 'fifo' },
    tracer: 'none',
    timeoutMs: undefined,
    stateDir: undefined,
    maxAgents: undefined,
    shardSize: DEFAULT_SHARD_SIZE,
    top: DEFAULT_TOP,
    engine: 'local',
    workers: DEFAULT_WORKERS,
  };
  // Help wins over everything else, so that it is reachable from any broken command line.
  if (argv.some(isHelp)) return { ...options, help: true };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const flag = VALUE_FLAGS.find((known) => known === name);
    if (name === '--state') throw new UsageError("--state FILE was replaced by --state-dir DIR, which keeps each agent's state in its own file");
    if (flag === undefined) throw new UsageError(`unknown option ${name}`);
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      value = next;
      index++;
    }
    apply(options, flag, value);
  }
  return options;
}

function isHelp(arg: string): boolean {
  return arg === '--help' || arg === '-h';
}

function apply(options: DemoOptions, flag: ValueFlag, value: string): void {
  switch (flag) {
    case '--input':
      options.input = nonEmpty(flag, value);
      return;
    case '--queue':
      options.queue = parseQueueChoice(value);
      return;
    case '--tracer':
      options.tracer = parseTracerChoice(value);
      return;
    case '--timeout':
      options.timeoutMs = positiveInteger(flag, value, MAX_TIMEOUT_MS, ' (milliseconds)');
      return;
    case '--state-dir':
      options.stateDir = nonEmpty(flag, value);
      return;
    case '--max-agents':
      options.maxAgents = positiveInteger(flag, value, Number.MAX_SAFE_INTEGER);
      return;
    case '--shard-size':
      options.shardSize = positiveInteger(flag, value, Number.MAX_SAFE_INTEGER);
      return;
    case '--top':
      options.top = positiveInteger(flag, value, Number.MAX_SAFE_INTEGER);
      return;
    case '--engine':
      if (value !== 'local' && value !== 'nats') throw new UsageError(`--engine must be local or nats, got ${JSON.stringify(value)}`);
      options.engine = value;
      return;
    case '--workers':
      options.workers = positiveInteger(flag, value, MAX_WORKERS);
      return;
  }
}

function nonEmpty(flag: string, value: string): string {
  if (value === '') throw new UsageError(`${flag} needs a value`);
  return value;
}

function positiveInteger(flag: string, value: string, max: number, unit = ''): number {
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= max)) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}${unit}, got ${JSON.stringify(value)}`);
  }
  return number;
}

