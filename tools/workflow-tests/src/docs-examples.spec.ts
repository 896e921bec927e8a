import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docExamples } from '../../../tools/vitest/doc-examples.js';
import { runNode } from './run.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// Every complete ```ts block of the guide (docs/*.md) and of the repository's README must
// type-check against the libraries' real API, strictly, whether it runs on both engines, on one, or
// not at all (```ts no-run); a ```ts fragment block is an excerpt and is left out. The blocks and
// their markers: tools/vitest/doc-examples.ts.
const examples = docExamples(WORKSPACE_ROOT);
const scratchParent = join(WORKSPACE_ROOT, 'tmp');
mkdirSync(scratchParent, { recursive: true });
const scratch = mkdtempSync(join(scratchParent, 'docs-examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('examples in the docs', () => {
  it('the guide has examples to check', () => {
    expect(examples.filter((example) => example.page.startsWith('docs/')).length).toBeGreaterThan(20);
  });

  it('every ```ts example type-checks against the real API', () => {
    const files = examples.map((example, index) => {
      const file = `${example.page.replace(/[^\w]+/g, '_')}_${example.line}_${index}.ts`;
      // `export {}` keeps a block without imports a module (top-level await, no global clashes).
      writeFileSync(join(scratch, file), `${example.code}\nexport {};\n`);
      return file;
    });
    const compilerOptions = { noEmit: true, types: ['node'], noUnusedLocals: false, noUnusedParameters: false };
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ extends: join(WORKSPACE_ROOT, 'tsconfig.base.json'), compilerOptions, files }));
    let output = '';
    try {
      runNode(join(WORKSPACE_ROOT, 'node_modules/typescript/bin/tsc'), ['-p', '.', '--pretty', 'false'], scratch);
    } catch (error) {
      output = (error as Error).message;
    }
    // Name the page and line of each failing block rather than the scratch file.
    const located = output.replace(/(\w+)_(\d+)_\d+\.ts\((\d+),(\d+)\)/g, (_all, page: string, line: string, row: string) => {
      const example = examples.find((candidate) => candidate.page.replace(/[^\w]+/g, '_') === page && String(candidate.line) === line);
      return `${example?.page ?? page} line ${Number(line) + Number(row) - 1}`;
    });
    expect(located).toBe('');
  });
});
