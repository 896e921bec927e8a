// The facade's promise: every public symbol of every library (but the NATS engine) is importable
// from @agentopera/core, as the very same value. `export *` silently drops a name two libraries
// both export, so this also catches such clashes.
import * as agents from '@agentopera/agents';
import * as engine from '@agentopera/engine';
import * as queue from '@agentopera/queue';
import * as serialization from '@agentopera/serialization';
import * as state from '@agentopera/state';
import * as subscriptions from '@agentopera/subscriptions';
import * as telemetry from '@agentopera/telemetry';
import * as types from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import * as core from './index.js';

const libraries = { types, queue, subscriptions, serialization, telemetry, state, engine, agents };

describe('@agentopera/core', () => {
  for (const [name, library] of Object.entries(libraries)) {
    it(`re-exports every runtime export of @agentopera/${name}`, () => {
      const exported = Object.keys(library);
      expect(exported.length).toBeGreaterThan(0);
      const missing = exported.filter((symbol) => (core as Record<string, unknown>)[symbol] !== (library as Record<string, unknown>)[symbol]);
      expect(missing).toEqual([]);
    });
  }

  it('exports nothing that no library exports', () => {
    const known = new Set(Object.values(libraries).flatMap((library) => Object.keys(library)));
    expect(Object.keys(core).filter((symbol) => !known.has(symbol))).toEqual([]);
  });
});
