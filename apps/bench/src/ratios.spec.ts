import { describe, expect, it } from 'vitest';
import { buildPlan, LAZY_STORE_LABEL } from './plan.js';
import { headlineRatios } from './ratios.js';
import type { ScenarioResult } from './results.js';
import { summarize } from './stats.js';

/** A scenario result whose variants have the given medians of `metric`. */
function scenario(id: string, metric: string, medians: Record<string, number>): ScenarioResult {
  return {
    id,
    title: id,
    metrics: [],
    variants: Object.entries(medians).map(([label, value]) => ({ label, impl: label, size: 1, metrics: { [metric]: summarize([value]) } })),
  };
}

const find = (scenarios: ScenarioResult[], id: string, name: string) =>
  headlineRatios(scenarios).find((ratio) => ratio.scenario === id && ratio.name.startsWith(name));

describe('the lifecycle targets', () => {
  it('serial / concurrent against 0.8', () => {
    expect(find([scenario('serial', 'opsPerSec', { concurrent: 100, serial: 85 })], 'serial', 'serial / concurrent')).toEqual({
      scenario: 'serial',
      name: 'serial / concurrent',
      value: 0.85,
      target: '≥ 0.8',
      met: true,
    });
    expect(find([scenario('serial', 'opsPerSec', { concurrent: 100, serial: 79 })], 'serial', 'serial / concurrent')?.met).toBe(false);
  });

  it('agents activated per second with a store and a cap against 0.5 × without', () => {
    const result = (withStore: number) => [scenario('lazystore', 'agentsPerSecond', { 'no store': 1000, [LAZY_STORE_LABEL]: withStore })];
    expect(find(result(600), 'lazystore', 'agents activated/s')).toMatchObject({ value: 0.6, target: '≥ 0.5', met: true });
    expect(find(result(400), 'lazystore', 'agents activated/s')?.met).toBe(false);
  });

  it('reports FileStateStore saves per second and activation latencies as figures, without targets', () => {
    const ratios = headlineRatios([
      scenario('filestore', 'savesPerSecond', { 'one at a time': 250, '64 at a time': 2000 }),
      scenario('activation', 'activationMicros', { 'no store': 5, InMemoryStateStore: 9, FileStateStore: 120 }),
    ]);
    expect(ratios.map(({ name, value, target }) => [name, value, target])).toEqual([
      ['FileStateStore saves/s, one at a time', 250, undefined],
      ['FileStateStore saves/s, 64 at a time', 2000, undefined],
      ['µs to activate and answer, no store', 5, undefined],
      ['µs to activate and answer, InMemoryStateStore', 9, undefined],
      ['µs to activate and answer, FileStateStore', 120, undefined],
    ]);
  });
});

describe('the plan', () => {
  it('has the lifecycle scenarios, selectable with --only, smaller in a quick run', () => {
    const full = buildPlan({ quick: false });
    const quick = buildPlan({ quick: true });
    for (const id of ['serial', 'lazystore', 'filestore', 'activation']) {
      expect(full.map((s) => s.id)).toContain(id);
      expect(quick.map((s) => s.id)).toContain(id);
    }
    const size = (plan: typeof full) => plan.find((s) => s.id === 'lazystore')!.variants[1].size;
    expect(size(full)).toBe(1_000_000);
    expect(size(quick)).toBe(20_000);
  });
});
