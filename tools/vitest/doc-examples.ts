import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The ```ts examples of README.md and docs/*.md, and the conventions that say how each is checked.
 * Every block is a complete module that is type-checked (tools/workflow-tests) and run
 * (doc-example-tests.ts), unless the words after `ts` in its info string say otherwise:
 *
 *   ```ts                    runs. If it builds an engine, on LocalAgentEngine and on NatsAgentEngine
 *                            (its `const x = new LocalAgentEngine(…);` lines swapped for
 *                            `NatsAgentEngine.connect(…)` on a test server, every engine closed at
 *                            the end; an example written for NATS, `const x = await
 *                            NatsAgentEngine.connect({ servers: '…', cluster: '…' });`, runs on
 *                            `new LocalAgentEngine()` too); if it builds none, once.
 *   ```ts local-only (why)   runs on LocalAgentEngine only, for the reason given.
 *   ```ts no-run (why)       is type-checked only, for the reason given.
 *   ```ts fragment           is an excerpt: neither type-checked nor run.
 *
 * What an example must print is written in its comments:
 *   - the `//` comment ending a line that calls console.log(…) is what that call prints (when the
 *     line has none, the comment lines right below it are); runs of whitespace compare as one
 *     space, so an array printed over several lines may be written on one. A comment wholly in
 *     parentheses, `// (fewer than 50)`, is a remark and is not checked;
 *   - in any comment, the double-quoted strings after the word `prints` are lines the example
 *     prints (a handler's console.log, say), `"…" twice` for two of them:
 *     `await engine.stopWhenIdle(); // prints "customer-42 owes 30", then "customer-42 owes 42"`.
 * Each claimed line must be among the lines printed; the order is not checked (on NATS, agents of
 * different types and keys print in no fixed order).
 */

/** The repository's root. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How an example is checked, from its info string and whether it builds an engine. */
export type ExampleMode = 'engines' | 'once' | 'local-only' | 'no-run';

export interface DocExample {
  /** The page, from the repository's root: `README.md`, `docs/agents.md`. */
  readonly page: string;
  /** The page's line of the block's first line of code. */
  readonly line: number;
  readonly code: string;
  readonly mode: ExampleMode;
  /** Why a `local-only` or `no-run` block is not run on both engines. */
  readonly reason?: string;
  /** The lines its comments say it prints, whitespace runs collapsed. */
  readonly expected: readonly string[];
}

/** A ```ts (or ```typescript) block of a Markdown text: the words after the language, its code, its first code line. */
interface CodeBlock {
  readonly info: string;
  readonly code: string;
  readonly line: number;
}

/** Every ```ts block of a Markdown text, fragments included. */
function tsBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm)].map((match) => {
    const [, info = '', code = ''] = match;
    return { info: info.trim(), code, line: markdown.slice(0, match.index).split('\n').length + 1 };
  });
}

/** The pages whose examples are checked: README.md and every docs/*.md. */
function examplePages(root = WORKSPACE_ROOT): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)];
}

/** Every complete example (fragments left out) of README.md and docs/*.md. */
export function docExamples(root = WORKSPACE_ROOT): DocExample[] {
  return examplePages(root).flatMap((page) =>
    tsBlocks(readFileSync(join(root, page), 'utf8')).flatMap((block) => {
      const where = `${page}:${block.line}`;
      if (/^fragment\b/.test(block.info)) return [];
      const marked = /^(local-only|no-run) \((.+)\)$/.exec(block.info);
      if (block.info !== '' && marked === null) {
        throw new Error(`${where}: unknown info string "ts ${block.info}"; write ts, ts local-only (why), ts no-run (why) or ts fragment`);
      }
      const mode = (marked?.[1] as ExampleMode | undefined) ?? (buildsEngine(block.code) ? 'engines' : 'once');
      if (mode === 'engines') checkSwappable(block.code, where);
      return [{ page, line: block.line, code: block.code, mode, reason: marked?.[2], expected: expectedOutput(block.code) }];
    }),
  );
}

/** The line each of the README's quick-start examples prints. */
export const QUICK_START_LINE = 'Received message: Hello, world!';

/** The README's quick start, the RPC and the publish example: the README's examples that claim to print QUICK_START_LINE. */
export function quickStartExamples(examples: readonly DocExample[] = docExamples()): DocExample[] {
  return examples.filter((example) => example.page === 'README.md' && example.expected.includes(QUICK_START_LINE));
}

/** Runs of whitespace as one space, trimmed: how printed text and claimed text are compared. */
export function normalizeOutput(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The `//` comment of a line (the text after `// `), or undefined; `nats://` is not a comment. */
function commentOf(line: string | undefined): string | undefined {
  return /(?:^|\s)\/\/ ?(.*)$/.exec(line ?? '')?.[1];
}

/** The lines an example's comments say it prints (see the conventions above). */
export function expectedOutput(code: string): string[] {
  const lines = code.split('\n');
  const wholeLine = (index: number): boolean => /^\s*\/\//.test(lines[index] ?? '');
  const expected: string[] = [];
  const printsIn = (comment: string): void => {
    const at = comment.search(/\bprints "/);
    if (at < 0) return;
    for (const [, line = '', twice] of comment.slice(at).matchAll(/"([^"]*)"( twice)?/g)) {
      expected.push(normalizeOutput(line));
      if (twice !== undefined) expected.push(normalizeOutput(line));
    }
  };
  // A run of whole-line comments is one comment; so is the one ending a line of code.
  const commentFrom = (index: number): string => {
    const run: string[] = [];
    for (let next = index; wholeLine(next); next++) run.push(commentOf(lines[next]) ?? '');
    return run.join(' ');
  };
  lines.forEach((line, index) => {
    if (wholeLine(index)) {
      if (!wholeLine(index - 1)) printsIn(commentFrom(index));
      return;
    }
    const comment = commentOf(line);
    if (comment !== undefined) printsIn(comment);
    if (!line.includes('console.log(')) return;
    const output = comment ?? (wholeLine(index + 1) ? commentFrom(index + 1) : undefined);
    if (output !== undefined && !/^\(.*\)$/.test(output.trim())) expected.push(normalizeOutput(output));
  });
  return expected;
}

/** The claimed lines not among the printed ones (each printed line meets at most one claim). */
export function missingOutput(expected: readonly string[], printed: readonly string[]): string[] {
  const unclaimed = [...printed];
  return expected.filter((line) => {
    const at = unclaimed.indexOf(line);
    if (at >= 0) unclaimed.splice(at, 1);
    return at < 0;
  });
}

// The lines that build an engine, as the runner swaps them: one statement on one line each.
const LOCAL_BUILD = /^const (\w+) = new LocalAgentEngine\((.*)\);$/;
const NATS_BUILD = /^const (\w+) = await NatsAgentEngine\.connect\(\{ servers: '[^']*', cluster: '[^']*' \}\);$/;
const NATS_IMPORT = "import { NatsAgentEngine } from '@agentopera/nats';";

/** The code without its whole-line comments (`// Was: const engine = new LocalAgentEngine();`). */
function statements(code: string): string {
  return code
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
}

function buildsEngine(code: string): boolean {
  return /new LocalAgentEngine\(|NatsAgentEngine\.connect\(/.test(statements(code));
}

/** Throws, naming the block, unless every engine it builds is built on a line the runner can swap. */
function checkSwappable(code: string, where: string): void {
  const lines = code.split('\n');
  const local = lines.filter((line) => LOCAL_BUILD.test(line)).length;
  const nats = lines.filter((line) => NATS_BUILD.test(line)).length;
  const builds = statements(code).match(/new LocalAgentEngine\(|NatsAgentEngine\.connect\(/g)?.length ?? 0;
  if (builds !== local + nats || (nats > 0 && local > 0)) {
    throw new Error(
      `${where}: an example run on both engines builds each one on a line of its own, ` +
        "`const engine = new LocalAgentEngine(…);` (or `= await NatsAgentEngine.connect({ servers: '…', cluster: '…' });`); " +
        'rewrite it so, or mark it ts local-only (why)',
    );
  }
}

/**
 * The example as it runs on LocalAgentEngine: as written, or, when it builds a NatsAgentEngine,
 * with `new LocalAgentEngine()` in its place (what going-distributed.md says it was).
 */
export function onLocalEngine(code: string): string {
  if (!code.split('\n').some((line) => NATS_BUILD.test(line))) return code;
  const lines = code.split('\n').map((line) => {
    if (line === NATS_IMPORT) return "import { LocalAgentEngine as DocsLocalAgentEngine } from '@agentopera/core';";
    const build = NATS_BUILD.exec(line);
    return build === null ? line : `const ${build[1]} = new DocsLocalAgentEngine();`;
  });
  const local = lines.join('\n');
  if (local.includes('NatsAgentEngine')) throw new Error('the example uses NatsAgentEngine beyond its import and connect lines');
  return local;
}

/**
 * The example as it runs on NatsAgentEngine: each engine connected to `servers` in `cluster`
 * (LocalAgentEngine's options passed on), and closed at the end.
 */
export function onNatsEngine(code: string, servers: string, cluster: string): string {
  const engines: string[] = [];
  const connection = `servers: ${JSON.stringify(servers)}, cluster: ${JSON.stringify(cluster)}`;
  const lines = code.split('\n').map((line) => {
    const [, local, options = ''] = LOCAL_BUILD.exec(line) ?? [];
    if (local !== undefined) {
      engines.push(local);
      const passed = options.trim() === '' ? '' : `...(${options}), `;
      return `const ${local} = await DocsNatsAgentEngine.connect({ ${passed}${connection} });`;
    }
    const [, nats] = NATS_BUILD.exec(line) ?? [];
    if (nats === undefined) return line;
    engines.push(nats);
    return `const ${nats} = await NatsAgentEngine.connect({ ${connection} });`;
  });
  const imports = lines.some((line) => line.includes('DocsNatsAgentEngine'))
    ? ["import { NatsAgentEngine as DocsNatsAgentEngine } from '@agentopera/nats';"]
    : [];
  const closes = engines.reverse().map((engine) => `await ${engine}.close();`);
  return [...imports, ...lines, ...closes].join('\n');
}
