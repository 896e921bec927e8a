import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from './run.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// The link checker CI runs over every committed Markdown file, tried on a throw-away repository
// with planted good and bad links.
const script = join(WORKSPACE_ROOT, 'tools/scripts/check-links.mjs');
const repos: string[] = [];

afterEach(() => {
  for (const repo of repos.splice(0)) rmSync(repo, { recursive: true, force: true });
});

/** A git repository holding `files` (committed unless listed in `uncommitted`). */
function repository(files: Record<string, string>, uncommitted: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'agentopera-links-'));
  repos.push(root);
  const write = (entries: Record<string, string>): void => {
    for (const [path, text] of Object.entries(entries)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  };
  write(files);
  run('git', ['init', '-q', '-b', 'main'], root);
  run('git', ['add', '-A'], root);
  run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'files'], root);
  write(uncommitted);
  return root;
}

function check(cwd: string, args: readonly string[] = []): { status: number | null; problems: string[] } {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, problems: result.stderr.split('\n').filter((line) => line !== '') };
}

const GUIDE = `# Guide

## Sending a message

## Errors and \`codes\`

## Errors and \`codes\`
`;

describe('check-links', () => {
  it('passes relative links to committed files, folders and existing headings; ignores code', () => {
    const root = repository({
      'README.md': [
        '# Project',
        'See [the guide](docs/guide.md), [sending](docs/guide.md#sending-a-message),',
        '[codes](docs/guide.md#errors-and-codes-1), [the app](apps/demo) and [top](#project).',
        '[ref]: docs/guide.md',
        'Code is not a link: `https://example.com` and',
        '```sh',
        'curl https://example.com/[x](nowhere.md)',
        '```',
      ].join('\n'),
      'docs/guide.md': GUIDE + '\nBack to [the README](../README.md).\n',
      'apps/demo/main.ts': '',
    });
    expect(check(root)).toEqual({ status: 0, problems: [] });
  });

  it('fails on each planted bad link, naming file, line and target', () => {
    const root = repository(
      {
        'README.md': [
          '# Project',
          '[missing](docs/missing.md)',
          '[bad anchor](docs/guide.md#nope)',
          '[own bad anchor](#nope)',
          '[outside](../shared/SPEC.md)',
          '[web](https://example.com/page)',
          'A bare URL: https://example.org and www.example.net.',
          '<https://example.com/auto> and [mail](mailto:someone@example.com)',
          '[ref]: http://example.com/ref',
          '[draft](docs/draft.md)',
        ].join('\n'),
        'docs/guide.md': GUIDE,
      },
      { 'docs/draft.md': '# Not committed\n' },
    );
    const { status, problems } = check(root);
    expect(status).toBe(1);
    expect(problems).toEqual([
      'README.md:2: docs/missing.md: docs/missing.md does not exist',
      'README.md:3: docs/guide.md#nope: no heading with the anchor #nope in docs/guide.md',
      'README.md:4: #nope: no heading with the anchor #nope in README.md',
      expect.stringMatching(/^README\.md:5: \.\.\/shared\/SPEC\.md points outside /),
      'README.md:6: https://example.com/page leaves the repository; link to a page of the repository instead',
      'README.md:7: https://example.org leaves the repository; link to a page of the repository instead',
      'README.md:7: www.example.net. leaves the repository; link to a page of the repository instead',
      'README.md:8: mailto:someone@example.com leaves the repository; link to a page of the repository instead',
      'README.md:8: https://example.com/auto leaves the repository; link to a page of the repository instead',
      'README.md:9: http://example.com/ref leaves the repository; link to a page of the repository instead',
      'README.md:10: docs/draft.md: docs/draft.md does not exist',
    ]);
  });

  it('with --root and files, checks those files against that folder (a package, say)', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentopera-links-'));
    repos.push(root);
    mkdirSync(join(root, 'package'));
    writeFileSync(join(root, 'package/index.js'), '');
    writeFileSync(join(root, 'package/README.md'), '[code](index.js) [repo docs](../docs/guide.md) [src](src/index.ts)\n');
    const { status, problems } = check(root, ['--root', join(root, 'package'), join(root, 'package/README.md')]);
    expect(status).toBe(1);
    expect(problems).toEqual([
      expect.stringMatching(/package\/README\.md:1: \.\.\/docs\/guide\.md points outside .*package$/),
      'package/README.md:1: src/index.ts: src/index.ts does not exist',
    ]);
  });

  it('the committed Markdown of this repository has no broken or outside link', () => {
    expect(check(WORKSPACE_ROOT)).toMatchObject({ problems: [], status: 0 });
  });
});
