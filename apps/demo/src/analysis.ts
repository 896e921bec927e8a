/** Counts for one file type (extension): how many files, lines and words, and how often each term occurs. */
export interface TypeStats {
  files: number;
  lines: number;
  words: number;
  terms: Record<string, number>;
}

/** Counts for a set of files, split by file type; `skipped` counts unreadable or binary files. */
export interface Totals {
  files: number;
  lines: number;
  words: number;
  skipped: number;
  byType: Record<string, TypeStats>;
}

/** What one file contributes. */
export interface TextAnalysis {
  lines: number;
  words: number;
  terms: Record<string, number>;
}

// Words are runs of letters and digits (an apostrophe may join two runs: "don't"). Underscores
// split words, which also keeps keys such as "__proto__" out of the term tables.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const LETTER = /\p{L}/u;

/**
 * Words too common to say anything about a document: English function words plus the keywords
 * and ubiquitous identifiers of TypeScript, so code files report their domain terms instead.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'the and for are but not you all any can had her was one our out has him his how its may new now old see two way who ' +
    'did get let put say she too use that with have this will your from they been were said each which their there what ' +
    'when where then than them these those some into more other only also such very just over most made after before while ' +
    'about would could should because does doesn don isn aren wasn won can’t don’t it’s i’m here must both same own why ' +
    'being between through under again once upon every many much well back even still via per etc ' +
    'const import export return function async await string number boolean void null undefined true false class extends ' +
    'implements interface type readonly private public protected static constructor throw try catch finally else case break ' +
    'continue default switch typeof instanceof keyof unknown never declare namespace module require yield delete enum super ' +
    'var'
  ).split(/\s+/),
);

/** The lowercase file extension without the dot, or "(none)". */
export function fileTypeOf(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '(none)';
}

/** Lines as an editor shows them: a final line without a newline still counts, an empty text has none. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let lines = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines++;
  return text.endsWith('\n') ? lines : lines + 1;
}

/** The words of `text`, in order, as written. */
export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** The term a word counts as, or `undefined` for short words, numbers and stop words. */
export function termOf(word: string): string | undefined {
  if (word.length < 3 || !LETTER.test(word)) return undefined;
  const term = word.toLowerCase();
  return STOP_WORDS.has(term) ? undefined : term;
}

export function analyseText(text: string): TextAnalysis {
  const words = tokenize(text);
  const terms: Record<string, number> = {};
  for (const word of words) {
    const term = termOf(word);
    if (term !== undefined) addCount(terms, term, 1);
  }
  return { lines: countLines(text), words: words.length, terms };
}

export function emptyTotals(): Totals {
  return { files: 0, lines: 0, words: 0, skipped: 0, byType: {} };
}

/** Adds one analysed file of type `fileType` to `totals`. */
export function addFile(totals: Totals, fileType: string, analysis: TextAnalysis): void {
  const stats = statsFor(totals, fileType);
  stats.files++;
  stats.lines += analysis.lines;
  stats.words += analysis.words;
  for (const [term, count] of Object.entries(analysis.terms)) addCount(stats.terms, term, count);
  totals.files++;
  totals.lines += analysis.lines;
  totals.words += analysis.words;
}

/** Adds `from` into `into` and returns `into`. */
export function mergeTotals(into: Totals, from: Totals): Totals {
  into.files += from.files;
  into.lines += from.lines;
  into.words += from.words;
  into.skipped += from.skipped;
  for (const [fileType, source] of Object.entries(from.byType)) {
    const stats = statsFor(into, fileType);
    stats.files += source.files;
    stats.lines += source.lines;
    stats.words += source.words;
    for (const [term, count] of Object.entries(source.terms)) addCount(stats.terms, term, count);
  }
  return into;
}

/** The `limit` most frequent terms, most frequent first; ties in alphabetical order. */
export function topTerms(terms: Record<string, number>, limit: number): [string, number][] {
  return Object.entries(terms)
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit);
}

/** Whether `value` has the shape of `Totals` (used to check state read back from a file). */
export function isTotals(value: unknown): value is Totals {
  if (!isRecord(value) || !isRecord(value.byType)) return false;
  if (!['files', 'lines', 'words', 'skipped'].every((key) => typeof value[key] === 'number')) return false;
  return Object.values(value.byType).every(
    (stats) =>
      isRecord(stats) &&
      ['files', 'lines', 'words'].every((key) => typeof stats[key] === 'number') &&
      isRecord(stats.terms) &&
      Object.values(stats.terms).every((count) => typeof count === 'number'),
  );
}

function statsFor(totals: Totals, fileType: string): TypeStats {
  if (!Object.hasOwn(totals.byType, fileType)) totals.byType[fileType] = { files: 0, lines: 0, words: 0, terms: {} };
  return totals.byType[fileType];
}

// Own-property check: a term such as "constructor" must not read Object.prototype's member.
function addCount(counts: Record<string, number>, key: string, amount: number): void {
  counts[key] = (Object.hasOwn(counts, key) ? counts[key] : 0) + amount;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
