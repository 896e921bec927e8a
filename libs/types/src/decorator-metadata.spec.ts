import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { AgentId } from './agent-id.js';
import { CancellationToken } from './cancellation-token.js';

// The routed agents infer handler message types from `design:paramtypes`; this proves the test
// transform (Vite's) emits decorator metadata from this library's tsconfig, as tsc does.
function handler(): MethodDecorator {
  return () => undefined;
}

class Probe {
  @handler()
  handle(_message: AgentId, _token: CancellationToken): void {}
}

describe('decorator metadata in the test transform', () => {
  it('emits design:paramtypes for decorated methods', () => {
    const types = Reflect.getMetadata('design:paramtypes', Probe.prototype, 'handle') as unknown[];
    expect(types).toEqual([AgentId, CancellationToken]);
  });
});
