import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runNode } from './run.js';
import { copyWorkspace, type TempWorkspace } from './temp-workspace.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// "Pick only the libraries you need": each library's built dist is npm-packed, and the tarballs are
// installed into an empty project with nothing else of ours; third-party dependencies come from
// the npm registry. Builds run in a copy of the workspace, never in the checkout's dist folders.
const ENGINE_AND_DEPENDENCIES = ['types', 'queue', 'subscriptions', 'serialization', 'telemetry', 'engine'];

describe('a library installed from its packed tarball, alone', () => {
  let ws: TempWorkspace;
  let scratch: string;
  const tarballs = new Map<string, string>();

  beforeAll(() => {
    ws = copyWorkspace();
    scratch = mkdtempSync(join(tmpdir(), 'agentopera-pack-'));
    const packed = join(scratch, 'tarballs');
    mkdirSync(packed);
    // In dependency order: a library's build type-checks against the dist of those it imports.
    for (const lib of ENGINE_AND_DEPENDENCIES) {
      runNode(join(ws.root, 'tools/scripts/build-lib.mjs'), [`libs/${lib}`], ws.root);
      const [info] = JSON.parse(run('npm', ['pack', join(ws.root, 'libs', lib, 'dist'), '--json', '--pack-destination', packed], scratch)) as {
        filename: string;
      }[];
      tarballs.set(lib, join(packed, info!.filename));
    }
  });
  afterAll(() => {
    ws?.remove();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  /** An empty ESM project with the given tarballs installed; returns its folder. */
  const consumer = (name: string, libs: readonly string[]): string => {
    const dir = join(scratch, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...libs.map((lib) => tarballs.get(lib)!)], dir);
    return dir;
  };

  it('@agentopera/queue: imports, type-checks and queues', () => {
    const dir = consumer('queue-consumer', ['queue']);
    expect(readdirSync(join(dir, 'node_modules/@agentopera'))).toEqual(['queue']);
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
    const tsc = join(WORKSPACE_ROOT, 'node_modules/typescript/bin/tsc');
    const compilerOptions = { strict: true, module: 'nodenext', target: 'es2022', types: [], skipLibCheck: false };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use-queue.ts'] }));
    runNode(tsc, ['-p', '.'], dir);
    const output = runNode('use-queue.js', [], dir);
    expect(JSON.parse(output)).toEqual({ full: true, got: ['first', 'second'], shutDown: true });
  });

  it('@agentopera/engine with its dependencies: registers a hand-written agent and gets its reply', () => {
    const dir = consumer('engine-consumer', ENGINE_AND_DEPENDENCIES);
    expect(readdirSync(join(dir, 'node_modules/@agentopera')).sort()).toEqual([...ENGINE_AND_DEPENDENCIES].sort());
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
});
