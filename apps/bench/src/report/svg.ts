import type { BenchResults, VariantResult } from '../results.js';
import type { MetricDef } from '../plan.js';
import { formatNumber } from '../stats.js';

const WIDTH = 960;
const LABEL_W = 200;
const BAR_MAX = 520;
const BAR_H = 20;
const GAP = 6;
const COLORS: Record<string, string> = { engine: '#2b6cb0', limit: '#718096', nact: '#d69e2e', xstate: '#805ad5' };

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function color(variant: VariantResult): string {
  return COLORS[variant.label] ?? (variant.impl.startsWith('engine') ? COLORS['engine'] : COLORS['limit']);
}

/**
 * A hand-written horizontal bar chart, one panel per scenario and metric: each bar is a variant's
 * median with a min–max whisker, labelled with its value and its ratio to the limit (or to the
 * first variant), so the chart reads without the table.
 */
export function renderSvg(results: BenchResults): string {
  const parts: string[] = [];
  let y = 56;
  for (const scenario of results.scenarios) {
    for (const metric of scenario.metrics) {
      if (metric.key === 'bareAgentBytes') continue;
      const variants = scenario.variants.filter((v) => v.metrics[metric.key] !== undefined);
      if (variants.length === 0) continue;
      y = panel(parts, y, `${scenario.title} — ${metric.label}`, metric, variants);
    }
  }
  const header =
    `<text x="16" y="24" font-size="18" font-weight="bold">AgentOpera engine benchmarks</text>` +
    `<text x="16" y="44" font-size="12" fill="#4a5568">${escape(
      `${results.date} · node ${results.node} · ${results.cpu} · median of ${results.repetitions} × ${results.seconds} s, bars: median, whiskers: min–max${results.quick ? ' · QUICK RUN' : ''}`,
    )}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 16}" viewBox="0 0 ${WIDTH} ${y + 16}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    header,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function panel(parts: string[], top: number, title: string, metric: MetricDef, variants: readonly VariantResult[]): number {
  const better = metric.higherIsBetter ? 'higher is better' : 'lower is better';
  parts.push(`<text x="16" y="${top + 14}" font-size="14" font-weight="bold">${escape(title)} <tspan font-weight="normal" fill="#4a5568">(${better})</tspan></text>`);
  let y = top + 24;
  const scale = Math.max(...variants.map((v) => v.metrics[metric.key].max));
  const reference = variants.find((v) => v.label === 'limit') ?? variants[0];
  const refMedian = reference.metrics[metric.key].median;
  for (const variant of variants) {
    const s = variant.metrics[metric.key];
    const w = (value: number): number => (scale > 0 ? (value / scale) * BAR_MAX : 0);
    const x0 = LABEL_W;
    const ratio = variant === reference ? '' : ` (${(s.median / refMedian).toFixed(2)}× ${reference.label})`;
    parts.push(
      `<text x="${x0 - 8}" y="${y + 14}" font-size="12" text-anchor="end">${escape(variant.label)}</text>`,
      `<rect x="${x0}" y="${y}" width="${w(s.median).toFixed(1)}" height="${BAR_H}" fill="${color(variant)}"/>`,
      `<line x1="${(x0 + w(s.min)).toFixed(1)}" x2="${(x0 + w(s.max)).toFixed(1)}" y1="${y + BAR_H / 2}" y2="${y + BAR_H / 2}" stroke="#1a202c" stroke-width="1.5"/>`,
      `<text x="${(x0 + w(s.max) + 6).toFixed(1)}" y="${y + 14}" font-size="12">${escape(`${formatNumber(s.median)} ${metric.unit}${ratio}`)}</text>`,
    );
    y += BAR_H + GAP;
  }
  return y + 18;
}
