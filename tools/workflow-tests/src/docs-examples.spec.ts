import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from './run.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// Every ```ts block of the guide (docs/*.md) and of the repository's README is a complete module
// that must type-check against the libraries' real API, strictly. A block whose info string says `fragment`
// (```ts fragment) is a shape or an excerpt and is left out.
const pages = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'README.md', 'docs/*.md'], {
  cwd: WORKSPACE_ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((page) => page !== '');

interface Example {
  readonly page: string;
  readonly line: number;
  readonly code: string;
}

function examplesOf(page: string): Example[] {
  const text = readFileSync(join(WORKSPACE_ROOT, page), 'utf8');
  const examples: Example[] = [];
  for (const match of text.matchAll(/^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm)) {
    if (match[2]!.includes('fragment')) continue;
    examples.push({ page, line: text.slice(0, match.index).split('\n').length + 1, code: match[3]! });
  }
  return examples;
}

const examples = pages.flatMap(examplesOf);
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
