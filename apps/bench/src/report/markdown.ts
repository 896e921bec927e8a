import type { BenchResults } from '../results.js';
import { formatNumber } from '../stats.js';

/**
 * docs/PERFORMANCE.md's two tables from one or more runs side by side (one column per run, headed
 * by its Node version): every variant's median (min–max), then the headline ratios with ✓/✗ against
 * their targets. Generated, so the document cannot drift from the committed results.
 */
export function renderMarkdown(runs: readonly BenchResults[]): string {
  const heads = runs.map((run) => `${run.node} median (min–max)`);
  const out = [`| scenario | variant | metric | ${heads.join(' | ')} |`, `|---|---|---|${runs.map(() => '---|').join('')}`];
  for (const scenario of runs[0]?.scenarios ?? []) {
    for (const variant of scenario.variants) {
      for (const metric of scenario.metrics) {
        const cells = runs.map((run) => {
          const summary = run.scenarios
            .find((s) => s.id === scenario.id)
            ?.variants.find((v) => v.label === variant.label)?.metrics[metric.key];
          return summary === undefined
            ? '—'
            : `${formatNumber(summary.median)} (${formatNumber(summary.min)}–${formatNumber(summary.max)})`;
        });
        if (cells.every((cell) => cell === '—')) continue;
        out.push(`| ${scenario.title} | ${variant.label} | ${metric.label} | ${cells.join(' | ')} |`);
      }
    }
  }
  out.push('', `| ratio (of medians) | target | ${runs.map((run) => run.node).join(' | ')} |`, `|---|---|${runs.map(() => '---|').join('')}`);
  for (const ratio of runs[0]?.ratios ?? []) {
    const cells = runs.map((run) => {
      const match = run.ratios.find((r) => r.scenario === ratio.scenario && r.name === ratio.name);
      if (match === undefined) return '—';
      const value = match.value >= 100 ? formatNumber(match.value) : match.value.toFixed(2);
      return match.met === undefined ? value : `${value} ${match.met ? '✓' : '✗'}`;
    });
    out.push(`| ${ratio.scenario}: ${ratio.name} | ${ratio.target ?? ''} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}
