import { DeserializationError } from '@agentopera/core';
import { describe, expect, it } from 'vitest';
import { addFile, analyseText, emptyTotals } from './analysis.js';
import { AnalysisReport, ShardAnalysed } from './messages.js';
import { totalsSerializers } from './totals-wire.js';

const [shardSerializer, reportSerializer] = totalsSerializers();

describe('totalsSerializers', () => {
  it('carries terms such as "prototype" and "constructor" across processes', () => {
    const totals = emptyTotals();
    addFile(totals, 'ts', analyseText('the prototype chain and the constructor: prototype, toString, hasOwnProperty'));
    addFile(totals, 'constructor', analyseText('valueOf prototype'));
    const shard = new ShardAnalysed('run-1', 'shard-0', totals, 7);
    const back = shardSerializer.deserialize(shardSerializer.serialize(shard)) as ShardAnalysed;
    expect(back).toBeInstanceOf(ShardAnalysed);
    // (toStrictEqual compares `constructor` members, and "constructor" is a key here.)
    expect(JSON.stringify(back)).toBe(JSON.stringify(shard));
    expect(Object.hasOwn(back.totals.byType.ts.terms, 'prototype')).toBe(true);
    expect(({} as Record<string, unknown>).prototype).toBeUndefined();

    const report = new AnalysisReport('run-1', totals, totals, 2, 7);
    const reportBack = reportSerializer.deserialize(reportSerializer.serialize(report));
    expect(reportBack).toBeInstanceOf(AnalysisReport);
    expect(JSON.stringify(reportBack)).toBe(JSON.stringify(report));
  });

  it('refuses a payload that is not its message, naming the type', () => {
    const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
    for (const payload of [encode([1]), encode({ runId: 'r', shardKey: 's', totals: { byType: {} } }), new TextEncoder().encode('{"runId": ')]) {
      expect(() => shardSerializer.deserialize(payload)).toThrow(DeserializationError);
      expect(() => shardSerializer.deserialize(payload)).toThrow(/"ShardAnalysed"/);
    }
  });
});
