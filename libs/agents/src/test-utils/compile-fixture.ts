import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as agents from '../index.js';
import * as types from '@agentopera/types';
import * as subscriptions from '@agentopera/subscriptions';

/**
 * Compiles agent source under a chosen decorator flavour with the real TypeScript compiler,
 * independent of the transform Vitest applies to specs (which always uses experimentalDecorators).
 */
export type DecoratorFlavour = 'legacy' | 'standard';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
// Virtual files live in the agents library, so `@agentopera/*` resolves through the workspace.
const fixtureDir = `${repoRoot}libs/agents/src/__fixtures__/`;

function flavourOptions(flavour: DecoratorFlavour): ts.CompilerOptions {
  return flavour === 'legacy'
    ? { experimentalDecorators: true, emitDecoratorMetadata: true }
    : { experimentalDecorators: false, emitDecoratorMetadata: false };
}

/** One message of a diagnostic chain, flattened, with its code and 1-based line. */
export interface FixtureDiagnostic {
  readonly code: number;
  readonly line: number;
  readonly text: string;
}

/**
 * Type-checks `files` (name → source) as one program under `flavour`, and returns each file's
 * diagnostics. `@agentopera/*` imports resolve to the libraries' sources.
 */
export function typecheckFixtures(
  files: Readonly<Record<string, string>>,
  flavour: DecoratorFlavour,
): Record<string, FixtureDiagnostic[]> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['@agentopera/source'],
    types: ['node'],
    typeRoots: [`${repoRoot}node_modules/@types`],
    strict: true,
    noImplicitOverride: true,
    useDefineForClassFields: true,
    skipLibCheck: true,
    noEmit: true,
    ...flavourOptions(flavour),
  };
  const host = ts.createCompilerHost(options, true);
  const virtual = new Map(Object.entries(files).map(([name, source]) => [`${fixtureDir}${name}`, source]));
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const source = virtual.get(name);
    return source === undefined
      ? getSourceFile.call(host, name, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(name, source, languageVersion, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const result: Record<string, FixtureDiagnostic[]> = {};
  for (const name of Object.keys(files)) {
    const sourceFile = program.getSourceFile(`${fixtureDir}${name}`)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    result[name] = diagnostics.map((diagnostic) => ({
      code: diagnostic.code,
      line: sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1,
      text: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    }));
  }
  return result;
}

const modules: Record<string, unknown> = {
  '@agentopera/agents': agents,
  '@agentopera/types': types,
  '@agentopera/subscriptions': subscriptions,
};

/**
 * Transpiles `source` alone, as tsc does under `flavour` (emitDecoratorMetadata off when
 * `metadata` is false, as esbuild, swc and tsx emit), runs it, and returns its exports.
 * `@agentopera/*` imports get the libraries these tests run against.
 */
export function loadFixture(source: string, flavour: DecoratorFlavour, metadata = true): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      useDefineForClassFields: true,
      ...flavourOptions(flavour),
      ...(metadata ? {} : { emitDecoratorMetadata: false }),
    },
  });
  const require = (specifier: string): unknown => {
    if (!(specifier in modules)) throw new Error(`fixture imports ${specifier}, which the fixture loader does not provide`);
    return modules[specifier];
  };
  const module = { exports: {} as Record<string, unknown> };
  // A fixture is test code we wrote; running it in this realm shares classes with the libraries.
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
  return module.exports;
}
