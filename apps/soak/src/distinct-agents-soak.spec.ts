import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { heapFailures, runDistinctAgentsSoak, type HeapSample } from './distinct-agents-soak.js';

const MIB = 1024 * 1024;

describe('the distinct-agents soak, CI-sized', () => {
  it('messages 6,000 distinct agents twice under maxActiveAgents 150: every state comes back, the heap stays bounded', async () => {
    const lines: string[] = [];
    // 2 MiB above the heap once the cap is reached is 350 bytes per agent at this size: an agent
    // (or its activation) kept after its deactivation would exceed it; the heap varied by under
    // 1 MiB in trial runs.
    const result = await runDistinctAgentsSoak({ distinctAgents: 6_000, maxActive: 150, heapToleranceBytes: 2 * MIB }, (line) =>
      lines.push(line),
    );
    expect(result.failures).toEqual([]);
    expect(result.verified).toBe(6_000);
    // Once per agent per pass: the cap forced each one out before its second message.
    expect(result.activated).toBe(12_000);
    expect(result.deactivated).toBe(12_000);
    expect(result.samples.length).toBeGreaterThanOrEqual(40);
    expect(existsSync(result.stateDirectory)).toBe(false);
    expect(lines[0]).toMatch(/^soak: 6,000 distinct agents, twice each, maxActiveAgents 150, 75 sends in flight; FileStateStore in /);
    expect(lines.filter((line) => /^ {2}pass [12] /.test(line))).toHaveLength(result.samples.length);
    // Between windows every agent is idle, so the engine never needs more than the cap.
    expect(Math.max(...result.samples.map((sample) => sample.activeAgents))).toBeLessThanOrEqual(150);
  }, 120_000);
});

describe('heapFailures', () => {
  const sample = (heapBytes: number, messages = 1000): HeapSample => ({ pass: 1, messages, heapBytes, activeAgents: 10 });

  it('passes samples at or below baseline + tolerance', () => {
    expect(heapFailures([sample(10 * MIB), sample(18 * MIB)], 10 * MIB, 8 * MIB)).toEqual([]);
  });

  it('fails when a sample goes above, naming the worst one', () => {
    const failures = heapFailures([sample(10 * MIB), sample(19 * MIB, 5000), sample(25 * MIB, 9000)], 10 * MIB, 8 * MIB);
    expect(failures).toEqual([
      'heap after forced GC above the bound 18.0 MiB (baseline 10.0 MiB + 8.0 MiB) in 2 of 3 samples, up to 25.0 MiB (pass 1, after 9,000 agents)',
    ]);
  });
});
