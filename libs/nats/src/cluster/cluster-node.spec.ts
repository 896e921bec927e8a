import type { JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { SlotDrainTimeoutError } from './cluster-errors.js';
import { ClusterNames } from './cluster-names.js';
import { ClusterNode, type ClusterNodeOptions, type Slot } from './cluster-node.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { ensureInboxConsumer, ensureStreams } from './topology.js';

const ACK_WAIT_MS = 60_000; // longer than any test: a message seen again was made available by the node
const TIMINGS = { leaseTtlMs: 1000, heartbeatMs: 150, memberTtlMs: 700, ackWaitMs: ACK_WAIT_MS, redeliveryDelayMs: 20 };

describe('ClusterNode', { timeout: 30_000 }, () => {
  const nats = useNats();
  const nodes: ClusterNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.stop().catch(() => {})));
  });

  async function cluster() {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names, { ackWaitMs: ACK_WAIT_MS });
    const consumer = await ensureInboxConsumer(nats.jsm, names, 't', 0, { ackWaitMs: ACK_WAIT_MS });
    const leases: KV = await new Kvm(nats.nc).create(names.leasesBucket, { history: 1 });
    const handled: string[] = [];
    const start = async (extra: Partial<ClusterNodeOptions> = {}): Promise<ClusterNode> => {
      const processId = uniqueName('p');
      const node = await ClusterNode.start({
        nc: nats.nc,
        names,
        processId,
        partitions: 1,
        timings: TIMINGS,
        publisher: JetStreamPublisher.start(nats.nc, names.pubAckWildcard(processId).slice(0, -2)),
        handle: async (_slot: Slot, msg: JsMsg) => (handled.push(msg.string()), 'ack'),
        slotLost: () => {},
        slotReleasing: async () => {},
        ...extra,
      });
      nodes.push(node);
      await node.host('t');
      return node;
    };
    /** Hands the next message to an owner that never acks it (a dead one, or the slot's new owner). */
    const takeOut = async (): Promise<JsMsg> => {
      const msg = await (await nats.js.consumers.get(names.inboxStream, consumer)).next({ expires: 2000 });
      if (msg === null) throw new Error('no message to take out');
      return msg;
    };
    const info = () => nats.jsm.consumers.info(names.inboxStream, consumer);
    const send = (body: string) => nats.js.publish(names.inboxSubject('t', 0, 'k'), body);
    return { names, consumer, leases, handled, start, takeOut, info, send };
  }

  it('a fresh acquisition makes deliveries an earlier owner never acked available again at once', async () => {
    const { handled, start, takeOut, send } = await cluster();
    await send('out with a dead owner');
    await takeOut(); // its lease was dropped (a takeover that failed half-way), so the next lease is fresh
    await start();
    await vi.waitFor(() => expect(handled).toEqual(['out with a dead owner']), { timeout: 15_000 });
  });

  it('a fresh acquisition finds the consumer deleted by an interrupted reset and creates it again', async () => {
    const { names, consumer, handled, start, send } = await cluster();
    await send('waiting in the stream');
    let deleted = false;
    await start({
      slotAcquiring: async () => {
        if (deleted) return;
        deleted = true; // the takeover's delete went through, its create was lost in an election
        await nats.jsm.consumers.delete(names.inboxStream, consumer);
      },
    });
    await vi.waitFor(() => expect(handled).toEqual(['waiting in the stream']), { timeout: 15_000 });
  });

  it('an acquisition that lost its lease while waiting leaves the new owner\'s consumer alone', async () => {
    const { names, leases, start, takeOut, info, send } = await cluster();
    const key = names.slotKey('t', 0);
    const lease = (owner: string) => new TextEncoder().encode(JSON.stringify({ owner }));
    await leases.put(key, lease('ghost')); // a dead owner's lease: this node takes it over
    await send('handed to the new owner');
    const calls: Array<() => void> = [];
    const node = await start({ slotAcquiring: () => new Promise<void>((resolve) => calls.push(resolve)) });
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    await leases.put(key, lease('new-owner')); // meanwhile another process took the slot...
    await vi.waitFor(() => expect(node.mayAct({ type: 't', partition: 0 })).toBe(false));
    await takeOut(); // ...and is working on its message
    const before = await info();
    calls[0]!(); // the old acquisition resumes
    // The new owner stops renewing: this node takes the slot again, which proves the first
    // acquisition has finished (leases are reconciled one round at a time).
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 10_000 });
    const after = await info();
    expect([after.created, after.num_ack_pending]).toEqual([before.created, 1]);
    calls[1]!();
  });

  it('stop() hands over within drainTimeoutMs although a handler never ends: the slot is given up as lost, and reported', async () => {
    const { start, send, info } = await cluster();
    const errors: unknown[] = [];
    const lost: Slot[] = [];
    let started = false;
    const node = await start({
      timings: { ...TIMINGS, drainTimeoutMs: 300 },
      handle: () => ((started = true), new Promise<never>(() => {})), // stuck for good
      slotLost: (slot) => lost.push(slot),
      onError: (error) => errors.push(error),
    });
    await send('stuck');
    await vi.waitFor(() => expect(started).toBe(true), { timeout: 10_000 });
    await node.stop();
    expect(errors).toEqual([expect.any(SlotDrainTimeoutError)]);
    expect(lost).toEqual([{ type: 't', partition: 0 }]);
    expect((await info()).num_ack_pending).toBe(1); // unacknowledged: the next owner handles it
  });
});
