import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { useNats } from './test-utils/nats-fixture.js';
import { uniqueName } from './test-utils/names.js';

// The README's quick-start examples on the NATS engine: the same code as on the local engine
// (libs/core/src/readme-examples.spec.ts), with only the line that builds the engine changed, as
// the guide says a move to NATS is ("change how the engine is built and nothing else"), and a
// close() at the end so the connection the example opened is closed.
const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '../../../README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1]!)
  .filter((code) => code.includes("from '@agentopera/core'") && code.includes('Received message'));
const scratch = join(here, 'tmp-readme');
const BUILD = 'const engine = new LocalAgentEngine();';

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('README examples on NatsAgentEngine', { timeout: 30_000 }, () => {
  const nats = useNats();

  it('has the RPC and the publish example, each building its engine in one line', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const code of examples) expect(code).toContain(BUILD);
  });

  it.each(examples.map((code, index) => [index + 1, code] as const))('example %i runs on NATS and prints its message', async (index, code) => {
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, `example-${index}.ts`);
    const onNats =
      `import { NatsAgentEngine } from '@agentopera/nats';\n` +
      code.replace(BUILD, `const engine = await NatsAgentEngine.connect({ servers: ${JSON.stringify(nats.server.url)}, cluster: ${JSON.stringify(uniqueName('readme'))} });`) +
      '\nawait engine.close();\n';
    writeFileSync(file, onNats);
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
