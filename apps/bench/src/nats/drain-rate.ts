// The baseline of fan-out: how fast one pull consumer drains a stream, acking each message.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { rawStream } from './raw-jetstream-rpc.js';

/** Stores `count` messages, then drains them through one consumer; returns messages per second. */
export async function pullConsumerDrainRate(url: string, count: number): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const setup = await rawStream(nc, 'drain');
    await fill(nc, setup.subject, count);
    const consumer = await jetstream(nc).consumers.get(setup.stream, setup.consumer);
    const start = performance.now();
    let received = 0;
    await new Promise<void>((resolve) => {
      void consumer.consume({
        max_messages: 1000,
        callback: (msg) => {
          msg.ack();
          if (++received === count) resolve();
        },
      });
    });
    const rate = count / ((performance.now() - start) / 1000);
    await (await jetstreamManager(nc)).streams.delete(setup.stream);
    return rate;
  } finally {
    await nc.close();
  }
}

/** Publishes with PubAcks matched by hand, 1,000 outstanding, and waits for all of them. */
async function fill(nc: Awaited<ReturnType<typeof connect>>, subject: string, count: number): Promise<void> {
  const acks = `bench.fill.${randomBytes(4).toString('hex')}`;
  const payload = new TextEncoder().encode(JSON.stringify({ text: 'event', n: 1 }));
  let acked = 0;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const send = (): void => {
      if (sent >= count) return;
      sent++;
      nc.publish(subject, payload, { headers: headers(), reply: `${acks}.${sent}` });
    };
    nc.subscribe(`${acks}.>`, {
      callback: () => {
        if (++acked === count) resolve();
        else send();
      },
    });
    for (let i = 0; i < Math.min(1000, count); i++) send();
  });
}
