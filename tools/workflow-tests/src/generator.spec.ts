import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, type TempWorkspace } from './temp-workspace.js';

// `nx g @agentopera/engine-plugin:component` run for real in a throw-away copy of the workspace:
// the scaffold must be a library whose tests (the conformance kit), typecheck and lint pass as generated.
describe('the engine-plugin component generator', () => {
  let ws: TempWorkspace;
  const kinds = [
    { kind: 'queue', name: 'my-queue', className: 'MyQueue', kit: 'describeMessageQueueConformance' },
    { kind: 'subscription-manager', name: 'my-subs', className: 'MySubs', kit: 'describeSubscriptionManagerConformance' },
    { kind: 'serializer', name: 'my-codec', className: 'MyCodec', kit: 'describeMessageSerializerConformance' },
  ] as const;

  beforeAll(() => {
    ws = copyWorkspace();
    for (const { name, kind } of kinds) ws.nx(['g', '@agentopera/engine-plugin:component', name, `--kind=${kind}`, '--no-interactive']);
  });
  afterAll(() => ws?.remove());

  it.each(kinds)('scaffolds a $kind library: project, tags, index, README and a spec running $kit', ({ name, className, kit }) => {
    const lib = join(ws.root, 'libs', name);
    for (const file of ['package.json', 'project.json', 'tsconfig.json', 'tsconfig.lib.json', 'vitest.config.ts', 'README.md', 'src/index.ts']) {
      expect(existsSync(join(lib, file)), file).toBe(true);
    }
    const project = JSON.parse(ws.nx(['show', 'project', name, '--json'])) as { tags: string[]; targets: Record<string, unknown> };
    expect(project.tags).toContain(`scope:${name}`);
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['build', 'test', 'lint', 'typecheck']));
    expect(readFileSync(join(lib, 'src/index.ts'), 'utf8')).toContain(className);
    expect(readFileSync(join(lib, `src/${name}.spec.ts`), 'utf8')).toContain(kit);
  });

  it('generates libraries whose conformance specs, typecheck and lint pass', () => {
    const vitest = join(ws.root, 'node_modules/vitest/vitest.mjs');
    for (const { name } of kinds) {
      const output = ws.run(process.execPath, [vitest, 'run', '--root', `libs/${name}`]);
      expect(output).toMatch(/Tests\s+\S*\d+\S* passed/);
      expect(output).not.toMatch(/failed/);
    }
    ws.nx(['run-many', '-t', 'typecheck', 'lint', '-p', kinds.map((k) => k.name).join(','), '--outputStyle=static', '--skip-nx-cache']);
  });

  it('adds a dependency constraint, so lint rejects an import the scaffolded scope may not make', () => {
    const file = join(ws.root, 'libs/my-queue/src/forbidden.ts');
    writeFileSync(file, "export { LocalAgentEngine } from '@agentopera/engine';\n");
    try {
      expect(() => ws.nx(['run', 'my-queue:lint', '--outputStyle=static', '--skip-nx-cache'])).toThrow(/enforce-module-boundaries/);
    } finally {
      writeFileSync(file, '');
    }
  });

  it('refuses to overwrite an existing library', () => {
    expect(() => ws.nx(['g', '@agentopera/engine-plugin:component', 'queue', '--kind=queue', '--no-interactive'])).toThrow(/already exists/);
  });
});
