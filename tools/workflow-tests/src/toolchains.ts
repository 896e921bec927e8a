import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runNode } from './run.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

/** TypeScript's `experimentalDecorators` (legacy), or the standard (TC39) decorators of new projects. */
export type DecoratorFlavour = 'legacy' | 'standard';

/** A way users compile and run TypeScript; each runs `<entry>.ts` in `dir` and returns its stdout. */
export interface Toolchain {
  readonly name: string;
  run(dir: string, entry: string): string;
}

const bin = (path: string): string => join(WORKSPACE_ROOT, 'node_modules', path);

export const TOOLCHAINS: readonly Toolchain[] = [
  {
    name: 'tsc',
    run: (dir, entry) => {
      runNode(bin('typescript/bin/tsc'), ['-p', '.'], dir);
      return runNode(`${entry}.js`, [], dir);
    },
  },
  {
    // A whole-program bundle, minified as for production. Node runs no decorators yet, so the
    // target makes esbuild lower standard ones.
    name: 'esbuild bundle',
    run: (dir, entry) => {
      const args = [`${entry}.ts`, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--minify', `--outfile=${entry}.bundle.mjs`];
      run(bin('esbuild/bin/esbuild'), [...args, '--log-level=warning'], dir);
      return runNode(`${entry}.bundle.mjs`, [], dir);
    },
  },
  {
    name: 'tsx',
    run: (dir, entry) => runNode(bin('tsx/dist/cli.mjs'), [`${entry}.ts`], dir),
  },
];

/**
 * A strict NodeNext tsconfig with the given decorators; tsc, esbuild and tsx all read it. The
 * legacy project also checks our declarations themselves (`skipLibCheck: false`); the standard one
 * has the defaults of a new project (`tsc --init`: `skipLibCheck: true`), which halves tsc's time.
 */
export function writeTsconfig(dir: string, decorators: DecoratorFlavour): void {
  mkdirSync(dir, { recursive: true });
  const flavour =
    decorators === 'legacy' ? { experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: false } : { skipLibCheck: true };
  const compilerOptions = { strict: true, module: 'nodenext', target: 'es2022', types: ['node'], ...flavour };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2));
}
