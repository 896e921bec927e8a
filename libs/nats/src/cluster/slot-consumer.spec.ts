import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { ClusterNames } from './cluster-names.js';
import { ensureInboxConsumer, ensureStreams, type TopologyOptions } from './topology.js';
import { SlotConsumer, type SlotConsumerOptions } from './slot-consumer.js';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SlotConsumer', () => {
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
    });
    const remaining = async () => (await nats.jsm.streams.info(names.inboxStream)).state.messages;
    return { names, send, base, deadLetters, remaining };
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
});
