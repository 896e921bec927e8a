import type { ScenarioDef, VariantDef } from './plan.js';
import type { Summary } from './stats.js';

/** A variant with the median and range of each metric over its repetitions. */
export interface VariantResult extends VariantDef {
  readonly metrics: Record<string, Summary>;
}

export interface ScenarioResult extends Omit<ScenarioDef, 'variants'> {
  readonly variants: readonly VariantResult[];
}

/** A headline ratio, with the target when it has one. */
export interface Ratio {
  readonly scenario: string;
  readonly name: string;
  readonly value: number;
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchResults {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly quick: boolean;
  readonly repetitions: number;
  readonly seconds: number;
  readonly scenarios: readonly ScenarioResult[];
  readonly ratios: readonly Ratio[];
}
