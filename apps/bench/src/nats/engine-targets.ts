import { randomBytes } from 'node:crypto';
import { AgentId, MessageChannel, TypeSubscription } from '@agentopera/core';
import { NatsAgentEngine } from '@agentopera/nats';
import type { FanOutTarget, RpcTarget } from '../impl/rpc-target.js';
import { BENCH_SERIALIZERS, Echo, Event } from './messages.js';
import { partitionOf } from './partition.js';
import { WorkerProcess } from './worker-process.js';

async function client(url: string, cluster: string): Promise<NatsAgentEngine> {
  const engine = await NatsAgentEngine.connect({ servers: url, cluster, processName: 'bench-client' });
  engine.registerMsgSerializer(BENCH_SERIALIZERS);
  return engine;
}

/** Cross-process RPC: this process calls `echo` hosted by a worker process. */
export async function natsEngineRpc(url: string): Promise<RpcTarget> {
  const cluster = `bench_${randomBytes(4).toString('hex')}`;
  const worker = await WorkerProcess.start({ NATS_URL: url, CLUSTER: cluster });
  const engine = await client(url, cluster);
  const id = new AgentId('echo', 'default');
  return {
    call: async (value) => (await engine.sendMessage<Echo>(new Echo('ping', value), id)).n,
    close: async () => {
      await engine.close();
      worker.kill();
    },
  };
}

/** Publishes to `sinks` agent types hosted by two worker processes. */
export async function natsEngineFanOut(url: string, sinks: number): Promise<FanOutTarget> {
  const cluster = `bench_${randomBytes(4).toString('hex')}`;
  const workers = await Promise.all([0, 1].map(() => WorkerProcess.start({ NATS_URL: url, CLUSTER: cluster, SINKS: String(sinks) })));
  const engine = await client(url, cluster);
  for (let i = 0; i < sinks; i++) await engine.subscribe(new TypeSubscription('fan', `sink${i}`));
  let expected = 0;
  const channels = Array.from({ length: 16 }, (_, i) => new MessageChannel('fan', `s${i}`));
  return {
    publishBatch: async (count) => {
      const published: Promise<void>[] = [];
      channels.forEach((channel, index) => {
        for (let i = index; i < count; i += channels.length) published.push(engine.publishMessage(new Event(i), channel));
      });
      await Promise.all(published);
      expected += count * sinks;
      while (workers.reduce((sum, w) => sum + w.delivered, 0) < expected) await new Promise((resolve) => setTimeout(resolve, 2));
    },
    close: async () => {
      await engine.close();
      for (const worker of workers) worker.kill();
    },
  };
}

/**
 * Failover: two workers host `echo`; one is killed with SIGKILL and an agent it hosted is called
 * at once. Returns the milliseconds until the answer came, from the worker that took over.
 */
export async function natsFailover(url: string): Promise<{ failoverMs: number; leaseTtlMs: number }> {
  const cluster = `bench_${randomBytes(4).toString('hex')}`;
  const env = { NATS_URL: url, CLUSTER: cluster, PARTITIONS: '16' };
  const victim = await WorkerProcess.start(env);
  const survivor = await WorkerProcess.start(env);
  const engine = await client(url, cluster);
  try {
    let slot: string | undefined;
    while ((slot = victim.slots.find((s) => s.startsWith('echo/'))) === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    const partition = Number(slot.split('/')[1]);
    let key = 0;
    while (partitionOf('echo', `k${key}`, 16) !== partition) key++;
    const id = new AgentId('echo', `k${key}`);
    await engine.sendMessage(new Echo('warm', 0), id);
    const killed = performance.now();
    victim.kill();
    await engine.sendMessage(new Echo('after the kill', 1), id);
    return { failoverMs: performance.now() - killed, leaseTtlMs: 6000 };
  } finally {
    await engine.close();
    survivor.kill();
  }
}
