import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, type TempWorkspace } from './temp-workspace.js';

// Affected-only CI rests on Nx knowing who depends on what: checked in a throw-away git copy of
// the workspace by changing one library's file and asking which projects are affected.
describe('nx show projects --affected', () => {
  let ws: TempWorkspace;
  let apps: string[];

  beforeAll(() => {
    ws = copyWorkspace({ git: true });
    apps = JSON.parse(ws.nx(['show', 'projects', '--type', 'app', '--json'])) as string[];
  });
  afterAll(() => ws?.remove());

  const affectedBy = (file: string): string[] => {
    ws.run('git', ['checkout', '-q', '--', '.']);
    appendFileSync(join(ws.root, file), '\n// a change\n');
    return JSON.parse(ws.nx(['show', 'projects', '--affected', '--base=HEAD', '--json'])) as string[];
  };

  it('has the example app to check against', () => {
    expect(apps).toContain('custom-engine');
  });

  it('a queue change affects the queue, the engine, core and the apps, not serialization', () => {
    const affected = affectedBy('libs/queue/src/async-queue.ts');
    expect(affected).toEqual(expect.arrayContaining(['queue', 'engine', 'core', ...apps]));
    for (const unaffected of ['serialization', 'types', 'subscriptions', 'telemetry', 'agents']) {
      expect(affected).not.toContain(unaffected);
    }
  });

  it('a change to a page of the guide affects the projects that run or type-check its examples', () => {
    expect(affectedBy('docs/agents.md')).toEqual(expect.arrayContaining(['core', 'nats', 'workflow-tests']));
  });

  it('a serialization change affects serialization, the engine, core and the apps, not the queue', () => {
    const affected = affectedBy('libs/serialization/src/json-message-serializer.ts');
    expect(affected).toEqual(expect.arrayContaining(['serialization', 'engine', 'core', ...apps]));
    for (const unaffected of ['queue', 'types', 'subscriptions', 'telemetry']) {
      expect(affected).not.toContain(unaffected);
    }
  });
});
