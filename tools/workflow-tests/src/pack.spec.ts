import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  filesIn,
  packWorkspace,
  publishableLibraries,
  readmeExamples,
  readmeInstallCommand,
  withDependencies,
  type PackedWorkspace,
} from './packed-workspace.js';
import { run, runNode } from './run.js';
import { TOOLCHAINS, writeTsconfig, type DecoratorFlavour } from './toolchains.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// `npm run pack` runs once, in a copy of the workspace; every test below installs from the folder
// it fills, into empty projects with nothing else of ours (third-party dependencies come from the
// npm registry or its cache), the way the README tells users to.
const readme = readFileSync(join(WORKSPACE_ROOT, 'README.md'), 'utf8');
// A TypeScript project on Node has Node's types; our declarations use them (AsyncLocalStorage).
const NODE_TYPES_VERSION = (JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
  .devDependencies['@types/node']!;
// Quiet installs without changing the README's command line.
const NPM_QUIET = { NPM_CONFIG_AUDIT: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_LOGLEVEL: 'error' };

let packed: PackedWorkspace;
let scratch: string;

beforeAll(() => {
  packed = packWorkspace();
  scratch = mkdtempSync(join(tmpdir(), 'agentopera-pack-'));
});
afterAll(() => {
  packed?.ws.remove();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

/** An empty ESM project (with Node's types, as a TypeScript project on Node has); returns its folder. */
function emptyProject(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const manifest = { name, version: '1.0.0', private: true, type: 'module', devDependencies: { '@types/node': NODE_TYPES_VERSION } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** An empty project with exactly the given packages' tarballs installed. */
function projectWith(name: string, packages: readonly string[]): string {
  const dir = emptyProject(name);
  run('npm', ['install', ...packages.map((pkg) => packed.tarballs.get(pkg)!)], dir, NPM_QUIET);
  return dir;
}

const installed = (dir: string): string[] => readdirSync(join(dir, 'node_modules/@agentopera')).map((name) => `@agentopera/${name}`).sort();

describe('npm run pack', () => {
  const each = (check: (name: string, folder: string, files: readonly string[]) => void): void => {
    for (const [name, folder] of packed.unpacked) check(name, folder, filesIn(folder));
  };
  const read = (folder: string, file: string): string => readFileSync(join(folder, file), 'utf8');

  it('packs every publishable library into dist/packages, one tarball each', () => {
    expect([...packed.tarballs.keys()].sort()).toEqual(publishableLibraries(packed.ws.root));
    expect(packed.tarballs.size).toBeGreaterThanOrEqual(8);
  });

  it('ships no test-only code: no specs, test utilities or test models', () => {
    each((name, _folder, files) => {
      expect(files.filter((file) => /\.(spec|test)\.|(^|\/)(test-utils|model)\//.test(file)), name).toEqual([]);
    });
  });

  it('ships the MIT licence and the README in every package', () => {
    each((name, folder, files) => {
      expect(files, name).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(read(folder, 'LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The AgentOpera authors\n/);
      expect(JSON.parse(read(folder, 'package.json'))).toMatchObject({ name, license: 'MIT' });
    });
  });

  it('ships source maps whose sources are readable: embedded, or files in the package', () => {
    each((name, folder, files) => {
      const maps = files.filter((file) => file.endsWith('.js.map'));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const mapFile of maps) {
        const map = JSON.parse(read(folder, mapFile)) as { sources: string[]; sourcesContent?: (string | null)[] };
        map.sources.forEach((source, index) => {
          const embedded = typeof map.sourcesContent?.[index] === 'string';
          const shipped = existsSync(join(folder, mapFile, '..', source));
          expect(embedded || shipped, `${name}: ${mapFile} names ${source}, neither embedded nor shipped`).toBe(true);
        });
      }
    });
  });

  it('ships declarations without notes on private members', () => {
    each((name, folder, files) => {
      for (const file of files.filter((path) => path.endsWith('.d.ts'))) {
        expect(read(folder, file), `${name}: ${file}`).not.toMatch(/(\*\/|\/\/[^\n]*)\s*\n\s*(?:readonly\s+|static\s+)*private\s/);
      }
    });
    // The engine's class declaration keeps the documentation of its public API.
    const engine = read(packed.unpacked.get('@agentopera/engine')!, 'local-agent-engine.d.ts');
    expect(engine).toMatch(/\/\*\*[^]*?\*\/\s*stop\(options\?: StopOptions\): Promise<void>;/);
  });

  it('ships READMEs whose links stay inside the package', () => {
    const checkLinks = join(WORKSPACE_ROOT, 'tools/scripts/check-links.mjs');
    each((_name, folder) => {
      runNode(checkLinks, ['--root', folder, join(folder, 'README.md')], folder);
    });
  });
});

describe('installing from a checkout', () => {
  let project: string;

  beforeAll(() => {
    project = emptyProject('readme-project');
    run('sh', ['-c', readmeInstallCommand(readme, packed.ws.root)], project, NPM_QUIET);
  });

  it("the README's one command installs every package", () => {
    expect(installed(project)).toEqual([...packed.tarballs.keys()].sort());
  });

  it('@agentopera/queue alone: imports, type-checks and queues', () => {
    const dir = projectWith('queue-alone', ['@agentopera/queue']);
    expect(installed(dir)).toEqual(['@agentopera/queue']);
    writeFileSync(
      join(dir, 'use-queue.ts'),
      `import { AsyncQueue, QueueShutDownError, type MessageQueue } from '@agentopera/queue';

const queue: MessageQueue<string> = new AsyncQueue<string>(2);
await queue.put('first');
queue.putNowait('second');
const full = queue.full();
const got = [await queue.get(), queue.getNowait()];
queue.shutdown();
const shutDown = await queue.get().then(() => false, (error: unknown) => error instanceof QueueShutDownError);
console.log(JSON.stringify({ full, got, shutDown }));
`,
    );
    const compilerOptions = { strict: true, module: 'nodenext', target: 'es2022', types: [], skipLibCheck: false };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use-queue.ts'] }));
    runNode(join(WORKSPACE_ROOT, 'node_modules/typescript/bin/tsc'), ['-p', '.'], dir);
    expect(JSON.parse(runNode('use-queue.js', [], dir))).toEqual({ full: true, got: ['first', 'second'], shutDown: true });
  });

  it('@agentopera/engine with its dependencies: registers a hand-written agent and gets its reply', () => {
    const engineAndDependencies = withDependencies(packed, '@agentopera/engine');
    expect(engineAndDependencies).not.toContain('@agentopera/agents');
    const dir = projectWith('engine-alone', engineAndDependencies);
    expect(installed(dir)).toEqual(engineAndDependencies);
    writeFileSync(
      join(dir, 'use-engine.mjs'),
      `import { LocalAgentEngine } from '@agentopera/engine';
import { AgentId, AgentInstantiationContext } from '@agentopera/types';

class Greeter {
  constructor(id) { this.id = id; }
  get metadata() { return { type: this.id.type, key: this.id.key, description: 'greets' }; }
  bindIdAndEngine() {}
  async onMessage(message, ctx) { return \`hello \${message.name} from \${this.id} (rpc: \${ctx.isRpc})\`; }
  async saveState() { return {}; }
  async loadState() {}
  async close() {}
}

const engine = new LocalAgentEngine();
await engine.registerAgentBuilder('greeter', () => new Greeter(AgentInstantiationContext.currentAgentId()));
engine.start();
const reply = await engine.sendMessage({ name: 'Ada' }, new AgentId('greeter', 'one'));
await engine.stop();
console.log(reply);
`,
    );
    expect(runNode('use-engine.mjs', [], dir).trim()).toBe('hello Ada from greeter/one (rpc: true)');
  });

  describe("the README's examples under each toolchain", () => {
    const examples = readmeExamples();
    const cases = (['legacy', 'standard'] as const).flatMap((decorators: DecoratorFlavour) =>
      TOOLCHAINS.map((toolchain) => ({ decorators, toolchain })),
    );

    it('the README has the RPC and the publish example', () => {
      expect(examples.length).toBeGreaterThanOrEqual(2);
    });

    for (const { decorators, toolchain } of cases) {
      it(`${toolchain.name}, ${decorators} decorators: every example compiles, runs and prints its message`, () => {
        const dir = join(project, `${toolchain.name.replace(/\W+/g, '-')}-${decorators}`);
        writeTsconfig(dir, decorators);
        examples.forEach((code, index) => writeFileSync(join(dir, `example-${index + 1}.ts`), code));
        examples.forEach((_code, index) => {
          expect(toolchain.run(dir, `example-${index + 1}`)).toContain('Received message: Hello, world!');
        });
      });
    }
  });
});
