// The baseline of the NATS engine's RPC: a "JetStream RPC" written by hand with nats.js alone.
// The request is stored in a work-queue stream (a core publish whose PubAck goes to a
// subscription of ours), a responder in another process pulls it, answers on a core subject and
// acks; the caller matches replies to requests by id in a Map. No engine, no serialization.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstreamManager, RetentionPolicy, AckPolicy } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { RpcTarget } from '../impl/rpc-target.js';

const responderScript = fileURLToPath(new URL('./raw-responder.js', import.meta.url));

export interface RawSetup {
  readonly stream: string;
  readonly subject: string;
  readonly consumer: string;
}

/** Creates a work-queue stream with one pull consumer; the names are unique to this run. */
export async function rawStream(nc: NatsConnection, tag: string): Promise<RawSetup> {
  const id = `${tag}_${randomBytes(4).toString('hex')}`;
  const setup = { stream: `BENCH_${id}`, subject: `bench.${id}.req`, consumer: 'worker' };
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: setup.stream, subjects: [setup.subject], retention: RetentionPolicy.Workqueue });
  await jsm.consumers.add(setup.stream, { durable_name: setup.consumer, ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  return setup;
}

/** A caller of the raw JetStream RPC; the responder runs in a child process. */
export async function rawJetStreamRpc(url: string): Promise<RpcTarget> {
  const nc = await connect({ servers: url });
  const setup = await rawStream(nc, 'rawrpc');
  const responder = fork(responderScript, [url, setup.stream, setup.consumer], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    responder.once('message', () => resolve());
    responder.once('exit', (code) => reject(new Error(`raw responder exited (${code})`)));
  });
  const inbox = `bench.reply.${randomBytes(4).toString('hex')}`;
  const waiting = new Map<string, () => void>();
  nc.subscribe(`${inbox}.>`, {
    callback: (_error, msg) => {
      const id = msg.subject.slice(inbox.length + 1);
      const resolve = waiting.get(id);
      if (resolve === undefined) return;
      waiting.delete(id);
      resolve();
    },
  });
  // PubAcks: received and dropped, as the reply proves the request was stored.
  const acks = `bench.ack.${randomBytes(4).toString('hex')}`;
  nc.subscribe(`${acks}.>`, { callback: () => {} });
  const payload = new TextEncoder().encode(JSON.stringify({ text: 'ping', n: 1 }));
  let counter = 0;
  return {
    call(value) {
      const id = (counter++).toString(36);
      const h = headers();
      h.set('reply-to', `${inbox}.${id}`);
      return new Promise<number>((resolve) => {
        waiting.set(id, () => resolve(value));
        nc.publish(setup.subject, payload, { headers: h, reply: `${acks}.${id}` });
      });
    },
    async close() {
      responder.kill('SIGKILL');
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(setup.stream).catch(() => {});
      await nc.close();
    },
  };
}
