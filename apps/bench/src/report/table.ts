import type { BenchResults } from '../results.js';
import { formatNumber } from '../stats.js';

/** The plain-text report: one row per variant and metric, then the headline ratios. */
export function renderTable(results: BenchResults): string {
  const rows: string[][] = [['scenario', 'variant', 'metric', 'median', 'min – max', 'n']];
  for (const scenario of results.scenarios) {
    for (const variant of scenario.variants) {
      for (const metric of scenario.metrics) {
        const s = variant.metrics[metric.key];
        if (s === undefined) continue;
        rows.push([
          scenario.title,
          variant.label,
          metric.label,
          formatNumber(s.median),
          `${formatNumber(s.min)} – ${formatNumber(s.max)}`,
          String(s.samples.length),
        ]);
      }
    }
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const line = (row: string[]): string => row.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', 'Ratios (of medians):');
  for (const r of results.ratios) {
    const verdict = r.target === undefined ? '' : `  target ${r.target}: ${r.met ? 'met' : 'MISSED'}`;
    out.push(`  ${r.scenario.padEnd(8)} ${r.name.padEnd(38)} ${r.value >= 100 ? formatNumber(r.value) : r.value.toFixed(2)}${verdict}`);
  }
  return out.join('\n');
}
