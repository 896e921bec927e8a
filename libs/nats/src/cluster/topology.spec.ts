import { headers } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { ClusterNames } from './cluster-names.js';
import { ensureInboxConsumer, ensureStreams, prepareInboxConsumer } from './topology.js';

describe('cluster topology', () => {
  const nats = useNats();

  async function pull(stream: string, consumer: string, count: number): Promise<JsMsg[]> {
    const c = await nats.js.consumers.get(stream, consumer);
    const batch = await c.fetch({ max_messages: count, expires: 1000 });
    const received: JsMsg[] = [];
    for await (const msg of batch) received.push(msg);
    return received;
  }

  it('creates its streams and consumers once, whoever comes second, with the second one\'s settings', async () => {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names);
    await ensureStreams(nats.jsm, names, { duplicateWindowMs: 60_000 });
    const streams = await Promise.all([names.inboxStream, names.deadLetterStream].map((s) => nats.jsm.streams.info(s)));
    expect(streams.map((s) => s.config.retention)).toEqual(['workqueue', 'limits']);
    expect(streams[0]!.config.duplicate_window).toBe(60_000 * 1e6);
    await ensureInboxConsumer(nats.jsm, names, 't', 0);
    await ensureInboxConsumer(nats.jsm, names, 't', 0, { ackWaitMs: 5000 });
    expect((await nats.jsm.consumers.info(names.inboxStream, names.inboxConsumer('t', 0))).config.ack_wait).toBe(5000 * 1e6);
  });

  it('gives each (type, partition) its own consumer, hostile keys included, and removes acked messages', async () => {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names);
    const a0 = await ensureInboxConsumer(nats.jsm, names, 'a.b', 0);
    const a1 = await ensureInboxConsumer(nats.jsm, names, 'a.b', 1);
    const other = await ensureInboxConsumer(nats.jsm, names, 'a', 0);
    const keys = ['>', '*', 'x.y', 'space key', 'a/b', 'ключ', ''];
    for (const key of keys) await nats.js.publish(names.inboxSubject('a.b', 0, key), key);
    await nats.js.publish(names.inboxSubject('a.b', 1, '*'), 'p1');
    await nats.js.publish(names.inboxSubject('a', 0, 'b.0.x'), 'other type');

    const got0 = await pull(names.inboxStream, a0, 20);
    expect(got0.map((m) => m.string())).toEqual(keys);
    expect(got0.map((m) => m.subject)).toEqual(keys.map((key) => names.inboxSubject('a.b', 0, key)));
    expect((await pull(names.inboxStream, a1, 20)).map((m) => m.string())).toEqual(['p1']);
    expect((await pull(names.inboxStream, other, 20)).map((m) => m.string())).toEqual(['other type']);

    for (const msg of got0) await msg.ackAck();
    expect((await nats.jsm.streams.info(names.inboxStream)).state.messages).toBe(2);
  });

  it('drops a re-published message with the same Nats-Msg-Id', async () => {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names);
    const first = await nats.js.publish(names.inboxSubject('t', 0, 'k'), 'once', { msgID: 'm-1' });
    const again = await nats.js.publish(names.inboxSubject('t', 0, 'k'), 'once', { msgID: 'm-1' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect((await nats.jsm.streams.info(names.inboxStream)).state.messages).toBe(1);
  });

  it('preparing a consumer for a new owner makes unacked deliveries available again at once, without deleting it', async () => {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names, { ackWaitMs: 60_000 });
    const consumer = await ensureInboxConsumer(nats.jsm, names, 't', 3, { ackWaitMs: 60_000 });
    const h = headers();
    h.set('x', '1');
    await nats.js.publish(names.inboxSubject('t', 3, 'k'), 'pending', { headers: h });
    expect(await pull(names.inboxStream, consumer, 1)).toHaveLength(1); // delivered, never acked
    expect(await pull(names.inboxStream, consumer, 1)).toHaveLength(0); // still out for 60 s
    const { created } = await nats.jsm.consumers.info(names.inboxStream, consumer);
    expect(await prepareInboxConsumer(nats.jsm, nats.nc, names, 't', 3, { ackWaitMs: 60_000 }, () => true)).toBe(true);
    const again = await pull(names.inboxStream, consumer, 1);
    expect(again.map((m) => m.string())).toEqual(['pending']);
    expect((await nats.jsm.consumers.info(names.inboxStream, consumer)).created).toBe(created); // never deleted
  });

  it('preparing a consumer creates it when an interrupted reset left it deleted, and leaves a clean one alone', async () => {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names);
    const consumer = await ensureInboxConsumer(nats.jsm, names, 't', 0);
    await nats.js.publish(names.inboxSubject('t', 0, 'k'), 'waiting');
    await nats.jsm.consumers.delete(names.inboxStream, consumer); // a takeover's delete, its create lost
    expect(await prepareInboxConsumer(nats.jsm, nats.nc, names, 't', 0, {}, () => true)).toBe(true);
    const created = (await nats.jsm.consumers.info(names.inboxStream, consumer)).created;
    expect(await prepareInboxConsumer(nats.jsm, nats.nc, names, 't', 0, {}, () => true)).toBe(true);
    expect((await nats.jsm.consumers.info(names.inboxStream, consumer)).created).toBe(created);
    expect((await pull(names.inboxStream, consumer, 1)).map((m) => m.string())).toEqual(['waiting']);
  });

  it('preparing a consumer touches nothing once ownership is gone', async () => {
    const names = new ClusterNames(uniqueName('c'));
    await ensureStreams(nats.jsm, names, { ackWaitMs: 60_000 });
    const consumer = await ensureInboxConsumer(nats.jsm, names, 't', 1, { ackWaitMs: 60_000 });
    await nats.js.publish(names.inboxSubject('t', 1, 'k'), 'out with the new owner');
    expect(await pull(names.inboxStream, consumer, 1)).toHaveLength(1);
    const before = await nats.jsm.consumers.info(names.inboxStream, consumer);
    expect(await prepareInboxConsumer(nats.jsm, nats.nc, names, 't', 1, { ackWaitMs: 60_000 }, () => false)).toBe(false);
    const after = await nats.jsm.consumers.info(names.inboxStream, consumer);
    expect([after.created, after.num_ack_pending]).toEqual([before.created, 1]);
  });

  it('rejects cluster names that would break subjects or stream names', () => {
    for (const bad of ['', 'a.b', 'a b', '*', '>', 'x'.repeat(65)]) expect(() => new ClusterNames(bad)).toThrow(TypeError);
  });
});
