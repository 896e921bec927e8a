import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, type TempWorkspace } from './temp-workspace.js';

// nx.json "release": the libraries are versioned independently, apps never. Dry runs only, in a
// git copy of the workspace (nx release reads git), and they must leave every file as it was.
describe('nx release (dry run)', () => {
  let ws: TempWorkspace;
  let libs: string[];

  beforeAll(() => {
    ws = copyWorkspace({ git: true });
    libs = readdirSync(join(ws.root, 'libs'));
  });
  afterAll(() => ws?.remove());

  it('versions every library, and no app, with one specifier', () => {
    const output = ws.nx(['release', 'version', '0.2.0', '--dry-run']);
    for (const lib of libs) {
      expect(output).toContain(`New version 0.2.0 written to manifest: libs/${lib}/package.json`);
    }
    const apps = JSON.parse(ws.nx(['show', 'projects', '--type', 'app', '--json'])) as string[];
    for (const app of apps) expect(output).not.toContain(`Running release version for project: ${app}\n`);
    expect(ws.run('git', ['status', '--porcelain'])).toBe('');
  });

  it('versions one library on its own (independent versions)', () => {
    const output = ws.nx(['release', 'version', 'patch', '--projects=serialization', '--dry-run']);
    expect(output).toContain('New version 0.1.1 written to manifest: libs/serialization/package.json');
    // Dependents get a patch bump so they point at the new version; unrelated libraries are untouched.
    expect(output).not.toContain('libs/queue/package.json');
    expect(output).not.toContain('libs/types/package.json');
  });

  it('previews a changelog per library', () => {
    const output = ws.nx(['release', 'changelog', '0.2.0', '--dry-run']);
    for (const lib of libs) expect(output).toContain(`libs/${lib}/CHANGELOG.md`);
    expect(ws.run('git', ['status', '--porcelain'])).toBe('');
  });
});
