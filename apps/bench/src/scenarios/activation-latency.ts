import { performance } from 'node:perf_hooks';
import { AgentId, FileStateStore, InMemoryStateStore, LocalAgentEngine, type StateStore } from '@agentopera/core';
import { CounterAgent } from '../impl/counter-agent.js';
import { temporaryStateDirectory } from './state-directory.js';

/** Agents activated per engine; each engine starts empty, so every first message activates. */
const PER_ENGINE = 100;
/** Stored states, reused by engine after engine. */
const STORED = 500;

function storeFor(impl: string): StateStore | undefined {
  if (impl === 'none') return undefined;
  if (impl === 'memory') return new InMemoryStateStore();
  if (impl === 'file') return new FileStateStore(temporaryStateDirectory());
  throw new Error(`unknown implementation ${impl}`);
}

/**
 * The latency of the first message to an agent whose state is in the store: build, `get` from the
 * store, `loadState`, handle, reply; one message at a time. `none` is the same agent on an engine
 * with no store (nothing to load). Each round builds a fresh engine over the same store (not
 * timed), sends to `PER_ENGINE` stored agents (timed), then drops the engine without `stop()`, so
 * that the saves it would make are not counted. Microseconds per activation.
 */
export async function activationMicros(impl: string, seconds: number, warmup: number): Promise<number> {
  const store = storeFor(impl);
  const ids = Array.from({ length: STORED }, (_, i) => new AgentId('counter', `k${i}`));
  if (store !== undefined) await Promise.all(ids.map((id) => store.set(id, { count: 1 })));
  let next = 0;
  const round = async (): Promise<{ activations: number; ms: number }> => {
    const engine = new LocalAgentEngine({ stateStore: store });
    await engine.registerAgentBuilder('counter', () => new CounterAgent());
    engine.start();
    const start = performance.now();
    for (let i = 0; i < PER_ENGINE; i++) {
      const reply = await engine.sendMessage<number>(i, ids[next++ % STORED]);
      if (reply !== (store === undefined ? 1 : 2)) throw new Error(`activation lost its state: replied ${reply}`);
    }
    return { activations: PER_ENGINE, ms: performance.now() - start };
  };
  const runFor = async (limit: number): Promise<{ activations: number; ms: number }> => {
    const total = { activations: 0, ms: 0 };
    const end = performance.now() + limit * 1000;
    do {
      const { activations, ms } = await round();
      total.activations += activations;
      total.ms += ms;
    } while (performance.now() < end);
    return total;
  };
  await runFor(warmup);
  const { activations, ms } = await runFor(seconds);
  return (ms * 1000) / activations;
}
