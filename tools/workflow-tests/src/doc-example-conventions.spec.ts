import { describe, expect, it } from 'vitest';
import { docExamples, expectedOutput, missingOutput, onLocalEngine, onNatsEngine } from '../../../tools/vitest/doc-examples.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// The conventions by which the docs' examples are run and checked (tools/vitest/doc-examples.ts):
// a runner that read no claims, or swapped no engine, would pass every example without checking it.
describe('the conventions of the docs examples', () => {
  it('reads what a console.log line prints from its comment, or from the comment lines below it', () => {
    const code = ["console.log(reply); // handled an RPC", 'console.log(list);', "// [ 'a',", "//   'b' ]", 'await engine.stop();'].join('\n');
    expect(expectedOutput(code)).toEqual(['handled an RPC', "[ 'a', 'b' ]"]);
  });

  it('leaves a remark in parentheses and a comment on another line of code unchecked', () => {
    const code = ['console.log(count); // (fewer than 50)', 'await sleep(10); // a concurrent agent would interleave here'].join('\n');
    expect(expectedOutput(code)).toEqual([]);
  });

  it('reads the quoted lines after "prints" in any comment, "twice" counting two', () => {
    const code = [
      'await engine.stopWhenIdle(); // prints "customer-42 owes 30", then "customer-42 owes 42"',
      '// Once every publish is handled, the example prints "paris" twice,',
      '// "lyon" and "nice".',
    ].join('\n');
    expect(expectedOutput(code)).toEqual(['customer-42 owes 30', 'customer-42 owes 42', 'paris', 'paris', 'lyon', 'nice']);
  });

  it('counts each printed line once against the claims', () => {
    expect(missingOutput(['paris', 'paris', 'lyon'], ['lyon', 'paris'])).toEqual(['paris']);
    expect(missingOutput(['paris', 'lyon'], ['paris', 'nice', 'lyon'])).toEqual([]);
  });

  it('swaps each engine for a NatsAgentEngine with the same options, closed at the end', () => {
    const code = ["import { LocalAgentEngine } from '@agentopera/core';", 'const engine = new LocalAgentEngine({ maxActiveAgents: 10 });', 'engine.start();'].join('\n');
    expect(onNatsEngine(code, 'nats://127.0.0.1:1', 'docs_1').split('\n')).toEqual([
      "import { NatsAgentEngine as DocsNatsAgentEngine } from '@agentopera/nats';",
      "import { LocalAgentEngine } from '@agentopera/core';",
      'const engine = await DocsNatsAgentEngine.connect({ ...({ maxActiveAgents: 10 }), servers: "nats://127.0.0.1:1", cluster: "docs_1" });',
      'engine.start();',
      'await engine.close();',
    ]);
    expect(onLocalEngine(code)).toBe(code);
  });

  it('runs an example written for NATS on the test server, and on LocalAgentEngine in its place', () => {
    const code = [
      "import { NatsAgentEngine } from '@agentopera/nats';",
      "const engine = await NatsAgentEngine.connect({ servers: 'nats://127.0.0.1:4222', cluster: 'demo' });",
      'await engine.close();',
    ].join('\n');
    expect(onNatsEngine(code, 'nats://127.0.0.1:1', 'docs_1').split('\n')[1]).toBe(
      'const engine = await NatsAgentEngine.connect({ servers: "nats://127.0.0.1:1", cluster: "docs_1" });',
    );
    expect(onLocalEngine(code).split('\n').slice(0, 2)).toEqual([
      "import { LocalAgentEngine as DocsLocalAgentEngine } from '@agentopera/core';",
      'const engine = new DocsLocalAgentEngine();',
    ]);
  });

  it('finds the examples of the guide with their marks and claims', () => {
    const examples = docExamples(WORKSPACE_ROOT);
    const ids = examples.find((example) => example.page === 'docs/concepts.md' && example.code.includes("new AgentId('writer'"));
    expect(ids).toMatchObject({ mode: 'once', expected: ['writer/session-1', 'a/b', 'true'] });
    expect(examples.filter((example) => example.mode === 'engines').length).toBeGreaterThan(15);
    for (const example of examples.filter((candidate) => candidate.mode === 'local-only' || candidate.mode === 'no-run')) {
      expect(example.reason, `${example.page}:${example.line}`).toMatch(/\w+ \w+/);
    }
  });
});
