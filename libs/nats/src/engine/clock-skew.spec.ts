import { AgentId } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { DeliveryTimeoutError } from '../errors.js';
import { useNats } from '../test-utils/nats-fixture.js';
import { Ping, Wait } from '../test-utils/test-agents.js';
import { useTestClusters } from '../test-utils/test-cluster.js';

const HOUR = 3_600_000;

// Deadlines crossing processes are durations: a host whose wall clock disagrees with
// the caller's neither drops a call nor runs one its caller gave up on.
describe('NatsAgentEngine under clock skew between caller and host', { timeout: 90_000 }, () => {
  const nats = useNats();
  const clusters = useTestClusters(() => nats.server);

  it('a host whose clock runs an hour ahead answers calls; one an hour behind cancels the handler at the caller\'s deadline', async () => {
    // The caller's timeout is long enough for the handler to start on a loaded machine. 16
    // partitions: each worker surely owns some echo partition (with 2, rendezvous hashing gave
    // both to one worker in half the clusters, and keyOwnedBy waited in vain).
    const c = await clusters.open({ partitions: 16, rpcTimeoutMs: 10_000 });
    const ahead = await c.worker('ahead', { CLOCK_SKEW_MS: String(HOUR) });
    const behind = await c.worker('behind', { CLOCK_SKEW_MS: String(-HOUR) });
    await c.settled([ahead, behind]);
    const onAhead = await c.keyOwnedBy(ahead, 'echo');
    expect(await c.client.sendMessage(new Ping('skewed'), new AgentId('echo', onAhead))).toMatchObject({ echo: 'skewed' });
    // The caller's own deadline (10 s on its clock) ends the call, and the host hears it at once.
    const onBehind = await c.keyOwnedBy(behind, 'echo');
    const call = c.client.sendMessage(new Wait(60_000), new AgentId('echo', onBehind));
    await behind.waitFor((e) => e.type === 'waiting', 10_000, 'the handler started');
    await expect(call).rejects.toBeInstanceOf(DeliveryTimeoutError);
    await behind.waitFor((e) => e.type === 'cancelled', 10_000, 'the handler cancelled at the caller\'s deadline');
  });
});
