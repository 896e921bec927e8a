import { performance } from 'node:perf_hooks';
import { AgentId, AgentInstantiationContext, LocalAgentEngine } from '@agentopera/core';
import { EchoAgent } from '../impl/echo-agent.js';
import { LimitDispatcher } from '../impl/limit-dispatcher.js';
import { collectGarbage } from '../timing.js';

export interface LazyResult {
  readonly agentsPerSecond: number;
  /** Heap per idle agent held by the engine, minus what the user's own agent object takes. */
  readonly engineBytesPerAgent: number;
  readonly bareAgentBytes: number;
}

/** Sends in flight at once. */
export const WINDOW = 1000;

type Creator = (type: string) => { send: (message: number, id: AgentId) => Promise<unknown>; keep: unknown };

/** The engine: one registered builder, agents built on their first message. */
const engineCreator: Creator = (type) => {
  const engine = new LocalAgentEngine();
  void engine.registerAgentBuilder(type, () => new EchoAgent());
  engine.start();
  return { send: (message, id) => engine.sendMessage(message, id), keep: engine };
};

/**
 * The limit: the limit dispatcher plus a Map from id string to agent, built on first use. What is
 * left is V8 allocating and promoting a million long-lived objects.
 */
const limitCreator: Creator = () => {
  const dispatcher = new LimitDispatcher();
  const agents = new Map<string, EchoAgent>();
  const scope = new LocalAgentEngine();
  return {
    send: (message, id) => {
      const key = id.toString();
      let agent = agents.get(key);
      if (agent === undefined) {
        agent = AgentInstantiationContext.populateContext(scope, id, () => new EchoAgent());
        agents.set(key, agent);
      }
      const target = agent;
      return dispatcher.send((m) => target.onMessage(m, undefined as never), message);
    },
    keep: agents,
  };
};

/** Scenario 4: one message to each of `count` distinct keys, so each builds a new agent. */
export async function lazyInstantiation(impl: string, count: number): Promise<LazyResult> {
  const creator = impl === 'limit' ? limitCreator : engineCreator;
  await createAgents(creator('warm').send, 'warm', Math.min(count, 100_000)); // JIT warm-up, then dropped
  const bareAgentBytes = measureBareAgent(count);

  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const created = creator('lazy');
  const seconds = await createAgents(created.send, 'lazy', count);
  collectGarbage();
  const perAgent = (process.memoryUsage().heapUsed - before) / count;
  if (created.keep === undefined) throw new Error('unreachable: keeps the agents alive until measured');
  return { agentsPerSecond: count / seconds, engineBytesPerAgent: perAgent - bareAgentBytes, bareAgentBytes };
}

export async function createAgents(send: (message: number, id: AgentId) => Promise<unknown>, type: string, count: number): Promise<number> {
  const start = performance.now();
  for (let base = 0; base < count; base += WINDOW) {
    const calls: Promise<unknown>[] = [];
    for (let i = base; i < Math.min(base + WINDOW, count); i++) calls.push(send(i, new AgentId(type, `k${i}`)));
    await Promise.all(calls);
  }
  return (performance.now() - start) / 1000;
}

/** Bytes of the user's agent object alone (with the id it holds), built the way a builder builds it. */
function measureBareAgent(count: number): number {
  const engine = new LocalAgentEngine();
  const agents = new Array<EchoAgent | undefined>(count).fill(undefined);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) {
    agents[i] = AgentInstantiationContext.populateContext(engine, new AgentId('lazy', `k${i}`), () => new EchoAgent());
  }
  collectGarbage();
  const bytes = (process.memoryUsage().heapUsed - before) / count;
  if (agents[count - 1] === undefined) throw new Error('unreachable: keeps the agents alive until measured');
  return bytes;
}
