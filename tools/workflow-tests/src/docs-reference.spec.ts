import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishableLibraries } from './packed-workspace.js';
import { WORKSPACE_ROOT } from './workspace-root.js';

// The guide's reference tables stay complete: every error class any library exports is in
// docs/errors.md with its code, and every engine event class in docs/tracing-and-events.md.
const page = (name: string): string => readFileSync(join(WORKSPACE_ROOT, 'docs', name), 'utf8');
const tableRowOf = (text: string, name: string): string | undefined =>
  text.split('\n').find((line) => line.startsWith(`| \`${name}\` `));

type Exports = Record<string, unknown>;
const libraries = publishableLibraries(WORKSPACE_ROOT);
const loadAll = async (): Promise<Map<string, unknown>> => {
  const all = new Map<string, unknown>();
  for (const library of libraries) {
    for (const [name, value] of Object.entries((await import(/* @vite-ignore */ library)) as Exports)) all.set(name, value);
  }
  return all;
};

/** Builds an error of `cls` with placeholder arguments, to read the code it sets. */
function instance(cls: new (...args: unknown[]) => Error): Error & { code?: unknown } {
  for (const args of [['m'], ['m', 'm'], ['m', 'm', []]]) {
    try {
      return new cls(...args);
    } catch {
      // Another argument shape, then.
    }
  }
  throw new Error(`cannot build a ${cls.name} to read its code`);
}

describe('docs/errors.md', () => {
  it('lists every exported error class with its name and code', async () => {
    const errors = page('errors.md');
    const problems: string[] = [];
    for (const [name, value] of await loadAll()) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      const error = instance(value as new (...args: unknown[]) => Error);
      const row = tableRowOf(errors, name);
      if (row === undefined) problems.push(`${name} has no row`);
      else if (typeof error.code === 'string' && !row.includes(`\`${error.code}\``)) problems.push(`${name}: its row lacks ${error.code}`);
      if (error.name !== name) problems.push(`${name} says its name is ${error.name}`);
    }
    expect(problems).toEqual([]);
  });

  it('names only classes that exist', async () => {
    const all = await loadAll();
    const named = [...page('errors.md').matchAll(/^\| `(\w+Error)`/gm)].map((match) => match[1]!);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((name) => !all.has(name))).toEqual([]);
  });
});

describe('docs/tracing-and-events.md', () => {
  it('lists every event class the telemetry library exports', async () => {
    const events = page('tracing-and-events.md');
    const telemetry = (await import('@agentopera/telemetry')) as Exports;
    const eventClasses = Object.entries(telemetry)
      .filter(([name, value]) => typeof value === 'function' && /^[A-Z]\w*Event$/.test(name))
      .map(([name]) => name);
    expect(eventClasses.length).toBeGreaterThan(5);
    expect(eventClasses.filter((name) => tableRowOf(events, name) === undefined)).toEqual([]);
  });
});
