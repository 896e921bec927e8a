import { connect, headers, type Msg, type NatsConnection, type PublishOptions, type SubscriptionOptions } from '@nats-io/transport-node';
import { NoopEventLogger } from '@agentopera/telemetry';
import { AgentId } from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { Get, Increment, Ping, registerTestAgents, registerTestSerializers } from '../test-utils/test-agents.js';
import { TEST_TIMINGS } from '../test-utils/test-cluster.js';
import { DeliveryTimeoutError, DuplicateMessageError } from '../errors.js';
import { partitionOf } from '../partition.js';
import { NatsAgentEngine } from './nats-agent-engine.js';
import { H, decodeError, parseRpcHeader, rpcHeader } from './wire.js';

/**
 * A connection whose first RPC store loses its PubAck (sent with a reply subject no one reads), so
 * the publisher sends it again and the stream answers `duplicate: true`; it counts the PubAcks
 * the publisher has read, by whether they said duplicate.
 */
async function lossyConnection(url: string): Promise<{ nc: NatsConnection; acks: { duplicate: number; stored: number } }> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
  const acks = { duplicate: 0, stored: 0 };
  let lost = false;
  const publish = nc.publish.bind(nc);
  const subscribe = nc.subscribe.bind(nc);
  nc.publish = (subject: string, data?: Parameters<NatsConnection['publish']>[1], options?: Partial<PublishOptions>) => {
    if (!lost && options?.headers?.get(H.rpc)) {
      lost = true;
      return publish(subject, data, { ...options, reply: `${uniqueName('lost')}.ack` });
    }
    return publish(subject, data, options);
  };
  nc.subscribe = (subject: string, options?: SubscriptionOptions) => {
    const callback = options?.callback;
    if (callback === undefined || !subject.includes('.ack.')) return subscribe(subject, options);
    return subscribe(subject, {
      ...options,
      callback: (error, msg: Msg) => {
        callback(error, msg);
        if (error !== null) return;
        if (msg.json<{ duplicate?: boolean }>().duplicate === true) acks.duplicate++;
        else acks.stored++;
      },
    });
  };
  return { nc, acks };
}

describe('RPCs and the stream\'s de-duplication', { timeout: 30_000 }, () => {
  const nats = useNats();
  const engines: NatsAgentEngine[] = [];
  const connections: NatsConnection[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => {})));
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => {})));
  });

  async function engine(cluster: string, options: { connection?: NatsConnection; host: boolean }): Promise<NatsAgentEngine> {
    const made = await NatsAgentEngine.connect({
      ...(options.connection === undefined ? { servers: nats.server.url } : { connection: options.connection }),
      cluster,
      partitions: 2,
      timings: TEST_TIMINGS,
      rpcTimeoutMs: 15_000,
      eventLogger: new NoopEventLogger(),
    });
    engines.push(made);
    registerTestSerializers(made);
    if (options.host) await registerTestAgents(made, { processId: made.processId });
    return made;
  }

  it('a call whose PubAck was lost is answered by its handler, although its re-send was a duplicate', async () => {
    const cluster = uniqueName('c');
    const host = await engine(cluster, { host: true }); // registered, started only after the re-send
    const lossy = await lossyConnection(nats.server.url);
    connections.push(lossy.nc);
    const caller = await engine(cluster, { connection: lossy.nc, host: false });
    const answer = caller.sendMessage<{ echo: string }>(new Ping('once'), new AgentId('echo', 'dup'));
    answer.catch(() => {}); // awaited below
    // The re-send (after the publisher's retryAfterMs) was answered "duplicate", and was read.
    await vi.waitFor(() => expect(lossy.acks.duplicate).toBe(1), { timeout: 10_000 });
    await host.start();
    await expect(answer).resolves.toMatchObject({ echo: 'once' });
  });

  it('one message id in two calls: both run on an agent that keeps no ids; a per-turn agent answers the second with DuplicateMessageError', async () => {
    const cluster = uniqueName('c');
    const host = await engine(cluster, { host: true });
    await host.start();
    const echo = new AgentId('echo', 'same-id');
    // The stream's window de-duplicates a call's own re-sends only: a second call is stored and run.
    expect(await host.sendMessage(new Ping('a'), echo, { messageId: 'same' })).toMatchObject({ echo: 'a' });
    expect(await host.sendMessage(new Ping('b'), echo, { messageId: 'same' })).toMatchObject({ echo: 'b' });
    // The counter commits the ids of its turns: the second call is refused at once, not at its deadline.
    const counter = new AgentId('counter', 'same-id');
    expect(await host.sendMessage(new Increment(1), counter, { messageId: 'inc' })).toBe(1);
    const second = host.sendMessage(new Increment(1), counter, { messageId: 'inc' });
    await expect(second).rejects.toBeInstanceOf(DuplicateMessageError);
    await expect(second).rejects.toThrow(/counter\/same-id already handled a message with id "inc"/);
  });

  it('a copy of a committed call: the same call redelivered hears at once that its answer is lost; another call with its id is refused', async () => {
    const cluster = uniqueName('c');
    const host = await engine(cluster, { host: true });
    await host.start();
    const key = 'redelivered';
    const subject = host.names.inboxSubject('counter', partitionOf('counter', key, 2), key);
    // The stored call, as the host's consumer will see it again after a lost ack.
    const stored = new Promise<Msg>((resolve) => {
      const sub = nats.nc.subscribe(subject, { max: 1, callback: (_error, msg) => resolve(msg) });
      connections.push({ close: async () => sub.unsubscribe() } as unknown as NatsConnection);
    });
    await nats.nc.flush();
    expect(await host.sendMessage(new Increment(1), new AgentId('counter', key), { messageId: 'once' })).toBe(1);
    const original = await stored;
    const copy = async (requestId?: string): Promise<Error> => {
      const replyTo = uniqueName('copy-reply');
      const answer = new Promise<Msg>((resolve) => nats.nc.subscribe(replyTo, { max: 1, callback: (_error, msg) => resolve(msg) }));
      const h = headers();
      for (const name of original.headers!.keys()) if (name !== 'Nats-Msg-Id') h.set(name, original.headers!.get(name));
      const rpc = parseRpcHeader(original.headers!.get(H.rpc))!;
      h.set(H.rpc, rpcHeader({ ...rpc, replyTo, requestId: requestId ?? rpc.requestId }));
      await nats.js.publish(subject, original.data, { headers: h, msgID: uniqueName('copy') });
      return decodeError((await answer).data);
    };
    const lost = await copy();
    expect(lost).toBeInstanceOf(DeliveryTimeoutError);
    expect(lost.message).toMatch(/committed its turn, but its host stopped before answering: the answer is lost/);
    expect(await copy('another-call')).toBeInstanceOf(DuplicateMessageError);
    expect(await host.sendMessage(new Get(), new AgentId('counter', key))).toBe(1);
  });
});

