import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  WORKSPACE_ROOT,
  docExamples,
  missingOutput,
  normalizeOutput,
  onLocalEngine,
  onNatsEngine,
  quickStartExamples,
  type DocExample,
} from './doc-examples.js';

// Runs the examples of README.md and docs/*.md, each written to a module of its own and imported,
// and checks that each prints what its comments say; doc-examples.ts has the conventions.

/** Where the examples run: LocalAgentEngine (and the engine-free ones), or NatsAgentEngine on a test server. */
export type DocExampleEngine =
  | { readonly engine: 'LocalAgentEngine' }
  | {
      readonly engine: 'NatsAgentEngine';
      /** The server to connect to and a cluster name no other run uses, asked once per example. */
      readonly connection: () => { readonly servers: string; readonly cluster: string };
    };

/**
 * Registers one test per example that runs on `target`; an example marked not to run there shows
 * as a skipped test whose name gives the reason.
 */
export function describeDocExamples(target: DocExampleEngine): void {
  const examples = docExamples();
  const local = target.engine === 'LocalAgentEngine';
  const runHere = examples.filter((example) => example.mode === 'engines' || (local && example.mode !== 'no-run'));
  let scratch = '';

  describe(`the examples of README.md and docs/*.md on ${target.engine}`, { timeout: 30_000 }, () => {
    beforeAll(() => {
      mkdirSync(join(WORKSPACE_ROOT, 'tmp'), { recursive: true });
      scratch = mkdtempSync(join(WORKSPACE_ROOT, 'tmp', 'doc-examples-'));
      // The examples compile with the repository's settings (legacy decorators among them).
      writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ extends: join(WORKSPACE_ROOT, 'tsconfig.base.json') }));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it("runs the README's quick start, the RPC and the publish example, each printing its message", () => {
      expect(quickStartExamples(runHere).map((example) => example.mode)).toEqual(['engines', 'engines']);
    });

    const markedOut = examples.filter((example) => example.mode === 'no-run' || (!local && example.mode === 'local-only'));
    for (const example of markedOut) {
      it.skip(`${example.page}:${example.line} ${example.mode === 'no-run' ? 'is type-checked only' : 'runs on LocalAgentEngine only'}: ${example.reason}`);
    }

    for (const example of runHere) {
      it(titleOf(example, target.engine), async () => {
        let code = onLocalEngine(example.code);
        if (target.engine === 'NatsAgentEngine') {
          const { servers, cluster } = target.connection();
          code = onNatsEngine(example.code, servers, cluster);
        }
        const printed = await runModule(join(scratch, `${example.page.replace(/\W+/g, '_')}_${example.line}.ts`), code);
        const missing = missingOutput(example.expected, printed);
        expect(missing, `claimed in the comments but not printed; it printed:\n${printed.join('\n')}`).toEqual([]);
      });
    }
  });
}

function titleOf(example: DocExample, engine: string): string {
  const where = `${example.page}:${example.line}`;
  if (example.mode === 'once') return `${where} runs (it builds no engine)`;
  if (example.mode === 'local-only') return `${where} runs on ${engine} only: ${example.reason}`;
  return `${where} runs on ${engine}`;
}

/** Imports `code` as the module `file` and returns what it printed with console.log, one entry a call. */
async function runModule(file: string, code: string): Promise<string[]> {
  // `export {}` keeps a block without imports a module (top-level await, no global clashes).
  writeFileSync(file, `${code}\nexport {};\n`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await import(/* @vite-ignore */ file);
    return log.mock.calls.map((args) => normalizeOutput(format(...args)));
  } finally {
    log.mockRestore();
  }
}
