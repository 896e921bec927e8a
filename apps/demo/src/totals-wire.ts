import { DeserializationError, JSON_DATA_CONTENT_TYPE, type MessageSerializer } from '@agentopera/core';
import { isTotals, type Totals } from './analysis.js';
import { AnalysisReport, ShardAnalysed } from './messages.js';

/**
 * Serializers for the two messages that carry `Totals` across processes (`--engine nats`).
 * Term tables are keyed by words from the analysed files, and the default JSON serializer refuses
 * keys such as "prototype" or "constructor" (prototype pollution): words this repository's own
 * TypeScript is full of. On the wire, the tables keyed by input (file types, terms) are therefore
 * lists of [key, value] pairs, rebuilt with `Object.fromEntries`, which only ever makes own keys.
 */
export function totalsSerializers(): MessageSerializer[] {
  return [
    serializer<ShardAnalysed>(
      ShardAnalysed,
      (message) => ({ runId: message.runId, shardKey: message.shardKey, totals: encodeTotals(message.totals), workerFilesAnalysed: message.workerFilesAnalysed }),
      (wire) => new ShardAnalysed(text(wire.runId), text(wire.shardKey), decodeTotals(wire.totals), Number(wire.workerFilesAnalysed)),
    ),
    serializer<AnalysisReport>(
      AnalysisReport,
      (report) => ({
        runId: report.runId,
        run: encodeTotals(report.run),
        cumulative: encodeTotals(report.cumulative),
        runs: report.runs,
        workerFilesAnalysed: report.workerFilesAnalysed,
      }),
      (wire) =>
        new AnalysisReport(text(wire.runId), decodeTotals(wire.run), decodeTotals(wire.cumulative), Number(wire.runs), Number(wire.workerFilesAnalysed)),
    ),
  ];
}

type Wire = Record<string, unknown>;

function serializer<T>(cls: { readonly name: string }, encode: (message: T) => Wire, decode: (wire: Wire) => T): MessageSerializer {
  return {
    dataContentType: JSON_DATA_CONTENT_TYPE,
    typeName: cls.name,
    serialize: (message) => new TextEncoder().encode(JSON.stringify(encode(message as T))),
    deserialize(payload) {
      try {
        const wire: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
        if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw new TypeError('not an object');
        return decode(wire as Wire);
      } catch (error) {
        throw new DeserializationError(cls.name, error instanceof Error ? error.message : String(error), { cause: error });
      }
    },
  };
}

function encodeTotals(totals: Totals): Wire {
  const byType = Object.entries(totals.byType).map(([type, stats]) => [type, { ...stats, terms: Object.entries(stats.terms) }]);
  return { ...totals, byType };
}

function decodeTotals(wire: unknown): Totals {
  const { byType, ...counts } = wire as { byType: unknown };
  if (!Array.isArray(byType)) throw new TypeError('totals.byType is not a list');
  const totals = {
    ...counts,
    byType: Object.fromEntries(
      byType.map((entry: unknown) => {
        const [type, stats] = entry as [string, { terms: unknown }];
        if (!Array.isArray(stats?.terms)) throw new TypeError(`totals.byType ${JSON.stringify(type)} has no list of terms`);
        return [type, { ...stats, terms: Object.fromEntries(stats.terms as [string, number][]) }];
      }),
    ),
  };
  if (!isTotals(totals)) throw new TypeError('totals do not hold file, line, word and term counts');
  return totals;
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}
