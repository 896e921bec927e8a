import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { ClusterNames } from './cluster-names.js';
import { ensureInboxConsumer, ensureStreams, type TopologyOptions } from './topology.js';
import { headers } from '@nats-io/transport-node';
import { SlotDrainTimeoutError } from './cluster-errors.js';
import { FAILURES_HEADER, SlotConsumer, type SlotConsumerOptions } from './slot-consumer.js';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SlotConsumer', { timeout: 30_000 }, () => {
  const nats = useNats();

  async function slot(topology: TopologyOptions = {}) {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names, topology);
    const consumer = await ensureInboxConsumer(nats.jsm, names, 't', 0, topology);
    const send = (key: string, body: string) => nats.js.publish(names.inboxSubject('t', 0, key), body);
    const deadLetters: string[] = [];
    const base = (handle: SlotConsumerOptions['handle']): SlotConsumerOptions => ({
      js: nats.js,
      stream: names.inboxStream,
      consumer,
      handle,
      mayAct: () => true,
      redeliveryDelayMs: 10,
      deadLetter: async (msg, reason) => {
        deadLetters.push(`${msg.string()}: ${reason}`);
      },
      requeue: async (msg, failures) => {
        const h = headers();
        h.set(FAILURES_HEADER, String(failures));
        await nats.js.publish(msg.subject, msg.data, { headers: h });
      },
    });
    /** Takes the next message of the slot and hands it back `times` times, as owners that let go of it would. */
    const handBack = async (times: number) => {
      const c = await nats.js.consumers.get(names.inboxStream, consumer);
      for (let i = 0; i < times; i++) {
        const msg = await c.next({ expires: 2000 });
        if (msg === null) throw new Error('nothing to hand back');
        expect(msg.info.deliveryCount).toBe(i + 1);
        msg.nak();
      }
    };
    const remaining = async () => (await nats.jsm.streams.info(names.inboxStream)).state.messages;
    return { names, send, base, deadLetters, remaining, handBack, consumer };
  }

  it('hands deliveries over in order and acks what its handler finished', async () => {
    const { send, base, remaining } = await slot();
    for (let i = 0; i < 50; i++) await send('k', String(i));
    const seen: string[] = [];
    const consumer = await SlotConsumer.start(base(async (msg) => (seen.push(msg.string()), 'ack')));
    await until(() => seen.length === 50);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    await consumer.drain();
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });

  it('dead-letters a message that fails on every delivery; the others go through', async () => {
    const { send, base, deadLetters, remaining } = await slot();
    await send('a', 'good-1');
    await send('a', 'poison');
    await send('a', 'good-2');
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const consumer = await SlotConsumer.start({
      ...base(async (msg: JsMsg) => {
        attempts.set(msg.string(), (attempts.get(msg.string()) ?? 0) + 1);
        if (msg.string() === 'poison') throw new Error('handler always fails');
        handled.push(msg.string());
        return 'ack';
      }),
      maxDeliveries: 3,
    });
    await until(() => deadLetters.length === 1 && handled.length === 2);
    expect(attempts.get('poison')).toBe(3);
    expect(deadLetters[0]).toMatch(/^poison: its handling failed: Error: handler always fails on each of 3 deliveries/);
    await consumer.drain();
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });

  it('once ownership is lost it acks nothing, so the message stays for the next owner', async () => {
    const { send, base, remaining } = await slot();
    let owner = true;
    let release: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finish: () => void = () => {};
    const consumer = await SlotConsumer.start({
      ...base(async () => {
        release();
        await new Promise<void>((resolve) => (finish = resolve));
        return 'ack';
      }),
      mayAct: () => owner,
    });
    await send('k', 'in flight when the lease goes');
    await started;
    owner = false;
    consumer.stopNow();
    finish();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await remaining()).toBe(1);
  });

  it('drain waits for running handlers, and working() beats keep a long turn from redelivery', async () => {
    const { send, base, remaining } = await slot({ ackWaitMs: 1000 });
    let deliveries = 0;
    const consumer = await SlotConsumer.start({
      ...base(async () => {
        deliveries++;
        await new Promise((resolve) => setTimeout(resolve, 1600));
        return 'ack';
      }),
      workingEveryMs: 250,
    });
    await send('k', 'long turn');
    await until(() => deliveries === 1);
    await consumer.drain();
    expect(deliveries).toBe(1);
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });

  it('a healthy message handed back more often than maxDeliveries is handled, not dead-lettered', async () => {
    const { send, base, deadLetters, remaining, handBack } = await slot();
    await send('k', 'healthy');
    await handBack(5); // releases, abandons, lost leases: none of them a failed run
    const handled: string[] = [];
    const consumer = await SlotConsumer.start({ ...base(async (msg) => (handled.push(msg.string()), 'ack')), maxDeliveries: 3 });
    await until(() => handled.length === 1);
    await consumer.drain();
    expect(deadLetters).toEqual([]);
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });

  it('a poison message handed back several times is dead-lettered after exactly maxDeliveries failed runs', async () => {
    const { send, base, deadLetters, remaining, handBack } = await slot();
    await send('k', 'poison');
    await handBack(4);
    let runs = 0;
    const consumer = await SlotConsumer.start({
      ...base(async () => {
        runs++;
        throw new Error('fails every time');
      }),
      maxDeliveries: 3,
    });
    await until(() => deadLetters.length === 1);
    expect(runs).toBe(3);
    expect(deadLetters[0]).toMatch(/^poison: its handling failed: Error: fails every time on each of 3 deliveries/);
    await consumer.drain();
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });

  it("a delivery answered 'retry' (the broker down) is run again, uncounted, until the broker is back", async () => {
    const { send, base, deadLetters, remaining } = await slot();
    await send('k', 'needs the state bucket');
    let attempts = 0;
    const consumer = await SlotConsumer.start({
      ...base(async () => {
        attempts++;
        return attempts <= 6 ? 'retry' : 'ack';
      }),
      maxDeliveries: 3,
    });
    await until(() => attempts === 7, 15_000);
    await consumer.drain();
    expect(deadLetters).toEqual([]);
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });

  it('a drain gives up on a stuck handler after its bound, reports it, and leaves the message for the next owner', async () => {
    const { send, base, remaining, names, consumer: name } = await slot({ ackWaitMs: 60_000 });
    const errors: unknown[] = [];
    let started = false;
    let finish: () => void = () => {};
    const consumer = await SlotConsumer.start({
      ...base(async () => {
        started = true;
        await new Promise<void>((resolve) => (finish = resolve));
        return 'ack';
      }),
      onError: (error) => errors.push(error),
    });
    await send('k', 'stuck');
    await until(() => started);
    expect(await consumer.drain(200)).toBe(false);
    expect(errors).toEqual([expect.any(SlotDrainTimeoutError)]);
    finish(); // too late: its outcome is not acted on
    await until(() => consumer.inFlightCount === 0);
    expect(await remaining()).toBe(1);
    expect((await nats.jsm.consumers.info(names.inboxStream, name)).num_ack_pending).toBe(1);
  });

  it('a consumer deleted under it (a reset interrupted by an election) is created again and pulling goes on', { timeout: 90_000 }, async () => {
    const { send, base, names, consumer: name, remaining } = await slot();
    const handled: string[] = [];
    let recreated = 0;
    const consumer = await SlotConsumer.start({
      ...base(async (msg) => (handled.push(msg.string()), 'ack')),
      recreate: async () => {
        recreated++;
        await ensureInboxConsumer(nats.jsm, names, 't', 0);
      },
      pullExpiresMs: 1000,
    });
    await send('k', 'before');
    await until(() => handled.length === 1);
    // Its ack applied first: deleting the consumer with the ack still on its way would redeliver it
    // (at least once, rightly), and the count below would skip 2 (loaded machines did, 8 of 15 runs).
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
    await nats.jsm.consumers.delete(names.inboxStream, name);
    await send('k', 'after');
    await until(() => handled.length === 2, 60_000);
    expect(handled).toEqual(['before', 'after']);
    expect(recreated).toBeGreaterThan(0);
    await consumer.drain();
    await vi.waitFor(async () => expect(await remaining()).toBe(0));
  });
});
