import { headers } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { nextReconnect } from '../test-utils/connections.js';
import { RESTART_SKIP_NOTE } from '../test-utils/nats-server.js';
import { JetStreamPublisher, PublishFailedError, PublishTimeoutError } from './jetstream-publisher.js';

describe('JetStreamPublisher', () => {
  const nats = useNats();

  async function stream(): Promise<string> {
    const name = uniqueName('S');
    await nats.jsm.streams.add({ name, subjects: [`${name}.>`] });
    return name;
  }

  it('stores messages and matches 1,000 outstanding PubAcks to their publishes', async () => {
    const name = await stream();
    const publisher = JetStreamPublisher.start(nats.nc, `${name}_ack`);
    const acks = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => publisher.publish(`${name}.m`, new TextEncoder().encode(String(i)), headers(), `id-${i}`, 10_000)),
    );
    expect(new Set(acks.map((ack) => ack.seq)).size).toBe(1000);
    expect(acks.every((ack) => ack.stream === name && !ack.duplicate)).toBe(true);
    expect(publisher.outstanding).toBe(0);
    const again = await publisher.publish(`${name}.m`, new Uint8Array(), headers(), 'id-7', 10_000);
    expect(again).toMatchObject({ duplicate: true, seq: acks[7]!.seq });
    expect((await nats.jsm.streams.info(name)).state.messages).toBe(1000);
    publisher.close();
  });

  it('rejects at its deadline when no stream takes the subject, and at once when the payload exceeds max_payload', async () => {
    const publisher = JetStreamPublisher.start(nats.nc, uniqueName('ack'));
    const nowhere = publisher.publish('nobody.listens.here', new Uint8Array([1]), headers(), 'x', 500);
    await expect(nowhere).rejects.toBeInstanceOf(PublishTimeoutError);
    await expect(nowhere).rejects.toBeInstanceOf(PublishFailedError);
    await expect(nowhere).rejects.toMatchObject({ serverCode: 503, message: expect.stringMatching(/no stream to store it \(503\)/) });
    const name = await stream();
    const huge = new Uint8Array((nats.nc.info?.max_payload ?? 1024 * 1024) + 1);
    await expect(publisher.publish(`${name}.m`, huge, headers(), 'big', 10_000)).rejects.toThrow(/max_payload/);
    publisher.close();
  });

  it('sends again on "no responders" (503) until a stream takes the message: nothing fails while the stream is being created', async () => {
    const name = uniqueName('S');
    const publisher = JetStreamPublisher.start(nats.nc, `${name}_ack`);
    const settled: string[] = [];
    const sent = Array.from({ length: 20 }, (_, i) =>
      publisher.publish(`${name}.m`, new Uint8Array([i]), headers(), `n-${i}`, 20_000).then(
        (ack) => ack,
        (error: unknown) => {
          settled.push(String(error));
          throw error;
        },
      ),
    );
    // Every publish has been answered 503 (no stream yet) at least once, and none gave up.
    await vi.waitFor(() => expect(publisher.noResponders).toBeGreaterThanOrEqual(20), { timeout: 10_000 });
    expect(settled).toEqual([]);
    await nats.jsm.streams.add({ name, subjects: [`${name}.>`] });
    const acks = await Promise.all(sent);
    expect(new Set(acks.map((ack) => ack.seq)).size).toBe(20);
    expect((await nats.jsm.streams.info(name)).state.messages).toBe(20);
    publisher.close();
  });

  it('rejects at its deadline when no PubAck comes', async () => {
    const publisher = JetStreamPublisher.start(nats.nc, uniqueName('ack'), { retryAfterMs: 100 });
    // A plain subscriber (no stream) swallows the message and never acks.
    const name = uniqueName('silent');
    const sink = nats.nc.subscribe(`${name}.>`);
    await expect(publisher.publish(`${name}.x`, new Uint8Array(), headers(), 'y', 400)).rejects.toThrow(/deadline/);
    sink.unsubscribe();
    publisher.close();
  });

  it('stores each message once although the server restarts with publishes outstanding', async (ctx) => {
    if (!nats.server.canRestart) ctx.skip(RESTART_SKIP_NOTE);
    const name = await stream();
    const publisher = JetStreamPublisher.start(nats.nc, `${name}_ack`, { retryAfterMs: 300 });
    const reconnected = nextReconnect(nats.nc);
    const sent = Array.from({ length: 300 }, (_, i) => publisher.publish(`${name}.m`, new Uint8Array([i % 256]), headers(), `r-${i}`, 20_000));
    await nats.server.kill();
    const late = Array.from({ length: 100 }, (_, i) => publisher.publish(`${name}.m`, new Uint8Array(), headers(), `late-${i}`, 20_000));
    await nats.server.restart();
    await reconnected;
    const acks = await Promise.all([...sent, ...late]);
    expect(acks).toHaveLength(400);
    expect((await nats.jsm.streams.info(name)).state.messages).toBe(400);
    publisher.close();
  });
});
