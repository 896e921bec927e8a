import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForChild } from '../../../tools/vitest/child-bundle.js';

const here = dirname(fileURLToPath(import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'unstarted-engine-'));
let script = '';

beforeAll(async () => {
  script = await bundleForChild(join(here, 'test-utils/forgotten-start.ts'), scratch);
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('an engine that was never started', () => {
  it('says on stderr, when the process exits, that messages were left queued and why', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    // 13: the top-level await never settled, as Node reports it.
    expect(run.status).toBe(13);
    expect(run.stderr).toContain('1 message was still queued in an engine that was never started: call engine.start()');
  });

  it('says nothing when the engine was started', () => {
    const run = spawnSync(process.execPath, [script, '--start'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('hello');
    expect(run.stderr).toBe('');
  });
});
