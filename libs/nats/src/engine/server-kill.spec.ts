import { MessageChannel } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { natsServerCanRestart } from '../test-utils/nats-server.js';
import { Bump } from '../test-utils/test-agents.js';
import { useTestClusters, type TestCluster } from '../test-utils/test-cluster.js';

// One nats-server, replicas 1 (the default): what does a kill -9 of the server itself lose?
// JetStream 2.9 writes a message to its file (the operating system's cache) before the PubAck,
// so the server process dying loses nothing acknowledged; an operating-system crash or power cut
// can (there is no fsync per message before 2.10's `sync_interval: always`), which only
// `replicas: 3` on separate machines prevents. docs/DISTRIBUTED.md, "What a server crash loses".
describe.skipIf(!natsServerCanRestart())('NatsAgentEngine when its only nats-server is killed', { timeout: 90_000 }, () => {
  const nats = useNats();
  const clusters = useTestClusters(() => nats.server);

  it('kill -9 of the server under publish traffic to per-turn counters: every acknowledged publish is counted once', async () => {
    const c = await clusters.open({ rpcTimeoutMs: 20_000 });
    const a = await c.worker('a');
    const b = await c.worker('b');
    await c.settled([a, b]);
    const keys = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const acknowledged = new Map(keys.map((key) => [key, 0]));
    const attempted = new Map(keys.map((key) => [key, 0]));
    let total = 0;
    let stop = false;
    const failures: string[] = [];
    const publisher = async (lane: number): Promise<void> => {
      for (let round = 0; !stop; round++) {
        const key = keys[(round + lane) % keys.length]!;
        attempted.set(key, attempted.get(key)! + 1);
        try {
          await c.client.publishMessage(new Bump(), new MessageChannel('bumps', key));
          acknowledged.set(key, acknowledged.get(key)! + 1);
          total++;
        } catch (error) {
          failures.push((error as Error).name);
        }
      }
    };
    const traffic = Promise.all([0, 1, 2, 3].map(publisher));
    await expect.poll(() => total, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(200);
    await nats.server.kill();
    await nats.server.restart();
    const afterRestart = total;
    await expect.poll(() => total, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(afterRestart + 200);
    stop = true;
    await traffic;
    // Each counter ends between what was acknowledged (nothing lost) and what was attempted (a
    // publish rejected at its deadline may still have been stored), and never counts one twice.
    await expect
      .poll(async () => {
        const counts = await Promise.all(keys.map((key) => c.counter(key)));
        return keys.every((key, i) => counts[i]! >= acknowledged.get(key)!);
      }, { timeout: 30_000, interval: 250 })
      .toBe(true);
    for (const key of keys) {
      const counted = await c.counter(key);
      if (counted > attempted.get(key)!) console.error(`counter/${key} counted ${counted} of ${attempted.get(key)} attempted; turns applied more than once:`, twice(c, key));
      expect(counted).toBeGreaterThanOrEqual(acknowledged.get(key)!);
      expect(counted).toBeLessThanOrEqual(attempted.get(key)!);
    }
    // A publish refused, or not acknowledged by its deadline (stored or not), is all a kill may cause.
    expect(failures.filter((name) => name !== 'PublishFailedError' && name !== 'PublishTimeoutError')).toEqual([]);
    console.info(`kill -9 of the only server: ${total} publishes acknowledged, ${failures.length} rejected at their deadline, none lost`);
  });
});

/** The turns of `counter/<key>` whose message id was applied more than once, for the failure's diagnosis. */
function twice(c: TestCluster, key: string): string {
  const turns = c.turns().filter((turn) => turn.agent === `counter/${key}`);
  const byId = new Map<string, typeof turns>();
  for (const turn of turns) byId.set(turn.messageId, [...(byId.get(turn.messageId) ?? []), turn]);
  return JSON.stringify([...byId.values()].filter((runs) => runs.length > 1));
}
