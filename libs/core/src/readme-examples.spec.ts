import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's quick-start examples are run exactly as written: each ```ts block that imports
// from '@agentopera/core' is written to a module here and imported. A README edit that breaks
// an example breaks this test.
const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '../../../README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1]!)
  .filter((code) => code.includes("from '@agentopera/core'") && code.includes('Received message'));
const scratch = join(here, 'tmp');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('README examples', () => {
  it('has the RPC and the publish example', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((code, index) => [index + 1, code] as const))('example %i runs and prints its message', async (index, code) => {
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, `example-${index}.ts`);
    writeFileSync(file, code);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(/* @vite-ignore */ file);
      const printed = log.mock.calls.map((call) => call.join(' '));
      expect(printed).toContain('Received message: Hello, world!');
    } finally {
      log.mockRestore();
    }
  });
});
