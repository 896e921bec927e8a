import { Kvm } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
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
    await new Promise((resolve) => setTimeout(resolve, 400));
    const a = await Membership.join(kv, { processId: 'a', types: [] }, timings);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.hostsOf('t')).toEqual([]);
    await a.leave();
  });
});
