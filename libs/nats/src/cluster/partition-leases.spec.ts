import { KvWatchInclude, Kvm, type KV } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { WatchInterruptedError } from './cluster-errors.js';
import { PartitionLeases, type LeaseHandlers } from './partition-leases.js';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Starts watching `slot` and returns a wait for the owners its next `count` writes name (the
 * lease's renewals and takeovers are events in the bucket: a test can wait on them, not on time).
 */
async function nextWriters(kv: KV, slot: string, count: number, timeoutMs = 20_000): Promise<() => Promise<(string | undefined)[]>> {
  const watch = await kv.watch({ key: slot, include: KvWatchInclude.UpdatesOnly });
  return async () => {
    const owners: (string | undefined)[] = [];
    const timer = setTimeout(() => watch.stop(), timeoutMs);
    for await (const entry of watch) {
      owners.push(entry.operation === 'PUT' ? (entry.json() as { owner?: string }).owner : undefined);
      if (owners.length === count) break;
    }
    clearTimeout(timer);
    watch.stop();
    if (owners.length < count) throw new Error(`${slot}: ${owners.length} of ${count} writes within ${timeoutMs} ms`);
    return owners;
  };
}

/** Handlers that record what happened, and a check that two holders never overlap. */
function recorder(name: string, log: string[]): LeaseHandlers & { holding: Set<string> } {
  const holding = new Set<string>();
  return {
    holding,
    async acquired(slot, takeover) {
      holding.add(slot);
      log.push(`${name} acquired ${slot}${takeover ? ' (takeover)' : ''}`);
    },
    lost(slot) {
      holding.delete(slot);
      log.push(`${name} lost ${slot}`);
    },
    async release(slot) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // finishing a turn
      holding.delete(slot);
      log.push(`${name} released ${slot}`);
    },
  };
}

describe('PartitionLeases', () => {
  const nats = useNats();
  const bucket = async (): Promise<KV & { name: string }> => {
    const name = uniqueName('leases');
    return Object.assign(await new Kvm(nats.nc).create(name, { history: 1 }), { name });
  };

  it('one holder per slot; a released slot passes at once, long before the TTL', async () => {
    const kv = await bucket();
    const log: string[] = [];
    const ha = recorder('a', log);
    const hb = recorder('b', log);
    const a = await PartitionLeases.start(kv, 'a', { ttlMs: 30_000 }, ha);
    const b = await PartitionLeases.start(kv, 'b', { ttlMs: 30_000 }, hb);
    a.setDesired(['s0', 's1']);
    b.setDesired(['s1', 's2']);
    await until(() => ha.holding.size + hb.holding.size === 3);
    expect([...ha.holding].filter((slot) => hb.holding.has(slot))).toEqual([]);
    const s1Holder = ha.holding.has('s1') ? { me: a, mine: ha, other: hb } : { me: b, mine: hb, other: ha };
    s1Holder.me.setDesired([...s1Holder.mine.holding].filter((slot) => slot !== 's1'));
    // Passed at once: well within the 30 s TTL, and only after the holder's release had finished.
    await until(() => s1Holder.other.holding.has('s1'), 15_000);
    const [me, other] = s1Holder.mine === ha ? ['a', 'b'] : ['b', 'a'];
    const released = log.indexOf(`${me} released s1`);
    expect(released).toBeGreaterThanOrEqual(0);
    expect(log.findIndex((line) => line.startsWith(`${other} acquired s1`))).toBeGreaterThan(released);
    expect(a.isValid('s0')).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
    expect(ha.holding.size + hb.holding.size).toBe(0);
  });

  it('takes over a slot whose holder went silent only once that holder\'s own deadline has passed', async () => {
    const kv = await bucket();
    const log: string[] = [];
    const silent = await nats.connect();
    const ha = recorder('a', log);
    const ttlMs = 1500;
    const a = await PartitionLeases.start(await new Kvm(silent).open(kv.name), 'a', { ttlMs }, { ...ha, lost: () => {} });
    a.setDesired(['s']);
    await until(() => ha.holding.has('s'));
    let aStillValidAtTakeover: boolean | undefined;
    const hb = recorder('b', log);
    const b = await PartitionLeases.start(kv, 'b', { ttlMs }, {
      ...hb,
      async acquired(slot, takeover) {
        aStillValidAtTakeover = a.isValid(slot);
        await hb.acquired(slot, takeover);
      },
    });
    // a renews every TTL / 3: four renewals span more than a TTL in which b, wanting the slot, must not take it.
    const renewals = await nextWriters(kv, 's', 4);
    b.setDesired(['s']);
    expect(await renewals()).toEqual(['a', 'a', 'a', 'a']);
    expect(hb.holding.has('s')).toBe(false);
    await silent.close(); // a hears nothing and is told nothing: like a paused or cut-off process
    await until(() => hb.holding.has('s'), 15_000);
    expect(aStillValidAtTakeover).toBe(false);
    expect(log).toContain('b acquired s (takeover)');
    await b.stop();
  });

  it('a holder that cannot renew stops at its deadline, and one whose lease was overwritten stops at once', async () => {
    const kv = await bucket();
    const log: string[] = [];
    const cut = await nats.connect();
    const cutKv = await new Kvm(cut).open(kv.name);
    const ha = recorder('a', log);
    const a = await PartitionLeases.start(cutKv, 'a', { ttlMs: 400 }, ha);
    a.setDesired(['s', 't']);
    await until(() => ha.holding.size === 2);
    const entry = await kv.get('t');
    await kv.update('t', JSON.stringify({ owner: 'intruder' }), entry!.revision);
    await until(() => !ha.holding.has('t'), 10_000);
    expect(a.isValid('t')).toBe(false);
    await cut.close(); // renewals of 's' now fail
    await until(() => !ha.holding.has('s'), 10_000);
    expect(a.isValid('s')).toBe(false);
    expect(log).toEqual(expect.arrayContaining(['a lost t', 'a lost s']));
  });

  it('a watch that ends while running is reported and started again, so an overwritten lease is still seen at once', async () => {
    const kv = await bucket();
    const log: string[] = [];
    const errors: unknown[] = [];
    const ha = recorder('a', log);
    // Renewals every 20 s: within this test only the watch can tell that the lease changed hands.
    const a = await PartitionLeases.start(kv, 'a', { ttlMs: 60_000 }, { ...ha, onError: (error) => errors.push(error) });
    a.setDesired(['s']);
    await until(() => ha.holding.has('s'));
    (a as unknown as { watcher: { stop(): void } }).watcher.stop(); // as when the watch's consumer is lost
    await until(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(WatchInterruptedError);
    const entry = await kv.get('s');
    await kv.update('s', JSON.stringify({ owner: 'intruder' }), entry!.revision);
    await until(() => !ha.holding.has('s'), 5000);
    expect(a.isValid('s')).toBe(false);
    await a.stop();
  });
});
