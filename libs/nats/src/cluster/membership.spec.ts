import { Kvm, type KV } from '@nats-io/kv';
import { describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { Membership } from './membership.js';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Membership', () => {
  const nats = useNats();
  const timings = { heartbeatMs: 50, memberTtlMs: 300 };

  it('members see each other with their types, and one that leaves drops out at once', async () => {
    const kv = await new Kvm(nats.nc).create(uniqueName('members'));
    const a = await Membership.join(kv, { processId: 'a', types: ['x'] }, timings);
    const b = await Membership.join(kv, { processId: 'b', types: ['x', 'y'] }, { ...timings, memberTtlMs: 60_000 });
    await until(() => a.members().size === 2 && b.members().size === 2);
    expect(a.hostsOf('y')).toEqual(['b']);
    expect(b.hostsOf('x').sort()).toEqual(['a', 'b']);
    await a.setTypes(['x', 'z']);
    await until(() => b.hostsOf('z').length === 1);
    await a.leave();
    // b's TTL is a minute: only the deleted heartbeat can explain a prompt drop.
    await until(() => b.members().size === 1, 2000);
    await b.leave();
  });

  it('a member whose heartbeats stop is dropped after the TTL and comes back when they resume', async () => {
    const kv = await new Kvm(nats.nc).create(uniqueName('members'));
    let changes = 0;
    const a = await Membership.join(kv, { processId: 'a', types: [] }, { ...timings, onChange: () => changes++ });
    // 'ghost' writes one heartbeat by hand and never again.
    await kv.put('ghost', JSON.stringify({ processId: 'ghost', types: ['t'] }));
    await until(() => a.hostsOf('t').length === 1 && changes === 1);
    await until(() => a.hostsOf('t').length === 0, 3000);
    await until(() => changes === 2, 1000); // the expiry is reported, so owners rebalance
    await kv.put('ghost', JSON.stringify({ processId: 'ghost', types: ['t'] }));
    await until(() => a.hostsOf('t').length === 1 && changes === 3);
    await a.leave();
  });

  it('takes heartbeats left long ago by dead members for dead when it joins', async () => {
    const kv = await new Kvm(nats.nc).create(uniqueName('members'));
    await kv.put('old', JSON.stringify({ processId: 'old', types: ['t'] }));
    await waitServerTime(kv, 'old', 400); // older than memberTtlMs by the server's clock
    await kv.put('young', JSON.stringify({ processId: 'young', types: ['u'] }));
    const a = await Membership.join(kv, { processId: 'a', types: [] }, timings);
    // The watch replays in revision order: once 'young' is in, 'old' was judged.
    await until(() => a.hostsOf('u').length === 1);
    expect(a.hostsOf('t')).toEqual([]);
    await a.leave();
  });

  // Issue 17, defect 6: this process's wall clock is never compared with the server's.
  it.each([
    ['an hour ahead of the server', 3_600_000],
    ['an hour behind the server', -3_600_000],
  ])('judges members alike when its clock runs %s', async (_what, skewMs) => {
    const kv = await new Kvm(nats.nc).create(uniqueName('members'));
    await kv.put('old', JSON.stringify({ processId: 'old', types: ['t'] }));
    await waitServerTime(kv, 'old', 400);
    await kv.put('young', JSON.stringify({ processId: 'young', types: ['u'] }));
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
    try {
      const a = await Membership.join(kv, { processId: 'a', types: [] }, { ...timings, memberTtlMs: 60_000 });
      const b = await Membership.join(kv, { processId: 'b', types: [] }, timings);
      // 'young' wrote just now: live for a whole TTL, whatever the local clock says.
      await until(() => a.hostsOf('u').length === 1 && b.hostsOf('u').length === 1);
      // 'old' is older than b's TTL by the server's clock: dead to b.
      expect(b.hostsOf('t')).toEqual([]);
      await Promise.all([a.leave(), b.leave()]);
    } finally {
      clock.mockRestore();
    }
  });

  // Issue 17, defect 7: a watch that ends is started again, so later heartbeats still count.
  it('reports a watch that ended and watches again: a member that joins afterwards is seen', async () => {
    const kv = await new Kvm(nats.nc).create(uniqueName('members'));
    const errors: unknown[] = [];
    const a = await Membership.join(kv, { processId: 'a', types: [] }, { ...timings, onError: (error) => errors.push(error) });
    (a as unknown as { watcher: { stop(): void } }).watcher.stop();
    await until(() => a.watches === 2);
    await kv.put('late', JSON.stringify({ processId: 'late', types: ['l'] }));
    await until(() => a.hostsOf('l').length === 1);
    expect(String(errors[0])).toMatch(/watch of the members bucket ended/);
    await a.leave();
  });
});

/** Waits until the server's clock is `ms` past the time it stored `key` (read from a later put). */
async function waitServerTime(kv: KV, key: string, ms: number): Promise<void> {
  const written = (await kv.get(key))!.created.getTime();
  for (;;) {
    await kv.put('_probe', '');
    if ((await kv.get('_probe'))!.created.getTime() - written >= ms) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
