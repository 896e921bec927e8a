import { Kvm, type KV } from '@nats-io/kv';
import { DefaultSubscriptionManager, TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, MessageChannel } from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { ClusterSubscriptions, SubscriptionsNotCurrentError } from './cluster-subscriptions.js';

/** Ends a mirror's watch as a failure of the server or the client would (its iterator stops). */
function killWatch(subscriptions: ClusterSubscriptions): void {
  (subscriptions as unknown as { watcher: { stop(): void } }).watcher.stop();
}

describe('ClusterSubscriptions when its watch dies', { timeout: 30_000 }, () => {
  const nats = useNats();
  const opened: ClusterSubscriptions[] = [];
  afterEach(() => {
    for (const subscriptions of opened.splice(0)) subscriptions.close();
  });

  async function mirrors(waitMs?: number): Promise<{ a: ClusterSubscriptions; b: ClusterSubscriptions; kvA: KV; errors: unknown[] }> {
    const bucket = uniqueName('subs');
    await new Kvm(nats.nc).create(bucket, { history: 1 });
    const kvA = await new Kvm(nats.nc).open(bucket);
    const a = await ClusterSubscriptions.open(kvA, nats.jsm, bucket, new DefaultSubscriptionManager(), 'a', { waitMs });
    const b = await ClusterSubscriptions.open(await new Kvm(nats.nc).open(bucket), nats.jsm, bucket, new DefaultSubscriptionManager(), 'b');
    opened.push(a, b);
    const errors: unknown[] = [];
    a.onError((error) => errors.push(error));
    return { a, b, kvA, errors };
  }

  it('a watch that ends is reported and started again: a subscription made afterwards reaches publishes', async () => {
    const { a, b, errors } = await mirrors();
    await b.subscribe(new TypeSubscription('before', 'agent'));
    killWatch(a);
    await b.subscribe(new TypeSubscription('after', 'agent'));
    expect(await a.recipients(new MessageChannel('after', 'k'))).toEqual([new AgentId('agent', 'k')]);
    expect(await a.recipients(new MessageChannel('before', 'k'))).toEqual([new AgentId('agent', 'k')]);
    expect(a.watches).toBe(2);
    expect(String(errors[0])).toMatch(/The watch of KV_.* ended at revision \d+; watching again from there/);
  });

  it('while no watch can start, a publish fails by its bound naming the revision, and goes through once one starts', async () => {
    const { a, b, kvA, errors } = await mirrors(300);
    const watch = kvA.watch.bind(kvA);
    kvA.watch = () => Promise.reject(new Error('no watch for now'));
    killWatch(a);
    await b.subscribe(new TypeSubscription('t', 'agent'));
    const stale = a.recipients(new MessageChannel('t', 'k'));
    await expect(stale).rejects.toBeInstanceOf(SubscriptionsNotCurrentError);
    await expect(stale).rejects.toThrow(/did not reach revision 1 of KV_.* within 300 ms \(it is at 0\)/);
    expect(errors.map(String)).toContain('Error: no watch for now');
    kvA.watch = watch;
    await vi.waitFor(() => expect(a.watches).toBe(2), { timeout: 10_000 });
    expect(await a.recipients(new MessageChannel('t', 'k'))).toEqual([new AgentId('agent', 'k')]);
  });
});
