#!/usr/bin/env node
// Proves the dependency direction between the libraries is enforced: plants imports that the tags forbid
// (the queue importing types, serialization importing the engine) and checks that ESLint's
// @nx/enforce-module-boundaries rejects each, then that an allowed import passes.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const eslint = new URL('../../node_modules/eslint/bin/eslint.js', import.meta.url).pathname;
const probes = [
  { file: 'libs/queue/src/boundary-probe.ts', from: '@agentopera/types', allowed: false },
  { file: 'libs/serialization/src/boundary-probe.ts', from: '@agentopera/engine', allowed: false },
  { file: 'libs/agents/src/boundary-probe.ts', from: '@agentopera/engine', allowed: false },
  // The NATS engine is its own install: core must not pull it in.
  { file: 'libs/core/src/boundary-probe.ts', from: '@agentopera/nats', allowed: false },
  { file: 'libs/subscriptions/src/boundary-probe.ts', from: '@agentopera/types', allowed: true },
];

// The lint rule reads Nx's cached project graph; refresh it so every project is known.
execFileSync(process.execPath, [new URL('../../node_modules/nx/dist/bin/nx.js', import.meta.url).pathname, 'show', 'projects'], {
  stdio: 'ignore',
});

let failures = 0;
for (const probe of probes) {
  writeFileSync(probe.file, `import * as probe from '${probe.from}';\nexport const used = probe;\n`);
  let output = '';
  let passed = true;
  try {
    execFileSync(process.execPath, [eslint, '--no-warn-ignored', probe.file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    passed = false;
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  } finally {
    rmSync(probe.file, { force: true });
  }
  const flagged = !passed && output.includes('@nx/enforce-module-boundaries');
  const ok = probe.allowed ? passed : flagged;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${probe.file} importing ${probe.from}: ${probe.allowed ? 'allowed' : 'forbidden'}, lint ${passed ? 'passed' : 'failed'}`);
  if (!ok) {
    failures++;
    if (output) console.log(output);
  }
}
if (failures > 0) {
  console.error(`${failures} module-boundary check(s) failed`);
  process.exit(1);
}
console.log('module boundaries enforced');
