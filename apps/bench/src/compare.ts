// `node apps/bench/dist/compare.js bench/results.json bench/results-node24.json`: prints the
// Markdown tables of docs/PERFORMANCE.md for those runs, side by side.
import { readFileSync } from 'node:fs';
import type { BenchResults } from './results.js';
import { renderMarkdown } from './report/markdown.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node apps/bench/dist/compare.js <results.json> [<results.json> ...]');
  process.exit(2);
}
console.log(renderMarkdown(files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResults)));
