import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import componentGenerator from './generator.js';

// Fast checks on an in-memory tree; tools/workflow-tests runs the generator for real and runs
// the scaffold's tests, typecheck and lint.
const ESLINT_CONFIG = `export const depConstraints = [
  { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
];
`;

describe('component generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: 'root', engines: { node: '>=22.12.0' } }));
    for (const lib of ['queue', 'subscriptions', 'types', 'serialization']) {
      tree.write(`libs/${lib}/package.json`, JSON.stringify({ name: `@agentopera/${lib}`, version: '1.2.3' }));
    }
    tree.write('eslint.config.mjs', ESLINT_CONFIG);
  });

  it('names the package, project, tag and class after the library name', async () => {
    await componentGenerator(tree, { name: 'fair-queue', kind: 'queue' });
    expect(readJson(tree, 'libs/fair-queue/package.json')).toMatchObject({
      name: '@agentopera/fair-queue',
      dependencies: { '@agentopera/queue': '1.2.3' },
      engines: { node: '>=22.12.0' },
    });
    expect(readJson(tree, 'libs/fair-queue/project.json')).toMatchObject({ name: 'fair-queue', tags: ['scope:fair-queue', 'kind:queue'] });
    expect(tree.read('libs/fair-queue/src/index.ts', 'utf-8')).toContain('export { FairQueue }');
  });

  it('adds a dependency constraint for the new scope before the app constraint', async () => {
    await componentGenerator(tree, { name: 'my-codec', kind: 'serializer' });
    const config = tree.read('eslint.config.mjs', 'utf-8')!;
    const added = config.indexOf("{ sourceTag: 'scope:my-codec', onlyDependOnLibsWithTags: ['scope:serialization'] }");
    expect(added).toBeGreaterThan(config.indexOf("sourceTag: 'scope:queue'"));
    expect(added).toBeLessThan(config.indexOf("sourceTag: 'type:app'"));
  });

  it('scaffolds a subscription manager whose spec runs the subscription manager kit', async () => {
    await componentGenerator(tree, { name: 'my-subs', kind: 'subscription-manager' });
    expect(tree.read('libs/my-subs/src/my-subs.spec.ts', 'utf-8')).toContain('describeSubscriptionManagerConformance');
  });

  it('rejects an unknown kind and an existing library, writing nothing', async () => {
    await expect(componentGenerator(tree, { name: 'x', kind: 'scheduler' })).rejects.toThrow(/Unknown kind "scheduler"/);
    expect(tree.exists('libs/x')).toBe(false);
    await expect(componentGenerator(tree, { name: 'queue', kind: 'queue' })).rejects.toThrow(/libs\/queue already exists/);
  });
});
