import { AgentId, InMemoryStateStore, LocalAgentEngine, type LocalAgentEngineOptions } from '@agentopera/core';
import { EchoAgent } from '../impl/echo-agent.js';
import { createAgents } from './lazy-instantiation.js';

/** The cap of the store variant: the engine deactivates an agent for every one it activates past it. */
export const STORE_CAP = 10_000;

function engineFor(impl: string): LocalAgentEngineOptions {
  if (impl === 'engine') return {};
  if (impl === 'engine-memory-store') return { stateStore: new InMemoryStateStore(), maxActiveAgents: STORE_CAP };
  throw new Error(`unknown implementation ${impl}`);
}

function creator(impl: string, type: string): (message: number, id: AgentId) => Promise<unknown> {
  const engine = new LocalAgentEngine(engineFor(impl));
  void engine.registerAgentBuilder(type, () => new EchoAgent());
  engine.start();
  return (message, id) => engine.sendMessage(message, id);
}

/**
 * Scenario 4 (one message to each of `count` distinct keys, `WINDOW` in flight) on an engine with
 * no store (`engine`: scenario 4 itself) or with an `InMemoryStateStore` and `maxActiveAgents:
 * 10,000` (`engine-memory-store`): past the cap every activation first deactivates the least
 * recently used agent, saving its state, and looks for a stored state of its own. Agents per second.
 */
export async function lazyActivationsPerSecond(impl: string, count: number): Promise<number> {
  await createAgents(creator(impl, 'warm'), 'warm', Math.min(count, 100_000)); // JIT warm-up, then dropped
  const seconds = await createAgents(creator(impl, 'lazy'), 'lazy', count);
  return count / seconds;
}
