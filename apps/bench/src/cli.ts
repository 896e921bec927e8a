import { resolve } from 'node:path';

/** What `npm run bench -- …` was asked to do. */
export interface CliOptions {
  quick: boolean;
  node: string;
  only: Set<string> | undefined;
  out: string | undefined;
}

export const USAGE = 'expected --quick, --node <binary>, --only <ids>, --out <path>';

export function parseArgs(argv: readonly string[], defaultNode: string): CliOptions {
  const options: CliOptions = { quick: false, node: defaultNode, only: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--node') options.node = resolve(requireValue(argv, ++i, arg));
    else if (arg === '--only') options.only = new Set(requireValue(argv, ++i, arg).split(','));
    else if (arg === '--out') options.out = requireValue(argv, ++i, arg);
    else throw new Error(`Unknown option ${arg}; ${USAGE}`);
  }
  return options;
}

function requireValue(argv: readonly string[], index: number, option: string): string {
  const value = argv[index];
  if (value === undefined || value.startsWith('--')) throw new Error(`${option} needs a value; ${USAGE}`);
  return value;
}

/** The two files a run writes. */
export interface OutputFiles {
  json: string;
  svg: string;
}

/**
 * Where results go. `out` names both files without an extension; a `.json` or `.svg` extension a
 * user naturally types (`--out results.json`) is taken off rather than doubled.
 */
export function outputFiles(out: string): OutputFiles {
  const base = resolve(out.replace(/\.(json|svg)$/i, ''));
  return { json: `${base}.json`, svg: `${base}.svg` };
}
