import { RoutedAgent, rpc } from '@agentopera/agents';
import { AgentId, type AgentState } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { FencedState } from '../cluster/fenced-state.js';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { natsServerCanRestart } from '../test-utils/nats-server.js';
import { pauseProcess } from '../test-utils/pause-process.js';
import { NatsAgentEngine } from './nats-agent-engine.js';

class Set {
  constructor(public value = 0) {}
}

class Holder extends RoutedAgent {
  value = 0;
  constructor() {
    super('holds a value, saved on deactivation');
  }
  @rpc(Set)
  async set(message: Set): Promise<number> {
    this.value = message.value;
    return this.value;
  }
  override async saveState(): Promise<AgentState> {
    return { value: this.value };
  }
  override async loadState(state: AgentState): Promise<void> {
    this.value = Number(state['value'] ?? 0);
  }
}

// A lease long enough to outlast the pause: the process keeps owning the agent throughout.
const TIMINGS = { leaseTtlMs: 20_000, heartbeatMs: 150, memberTtlMs: 10_000, ackWaitMs: 5000, redeliveryDelayMs: 50 };

describe.skipIf(!natsServerCanRestart())('NatsAgentEngine saves after a store failure', { timeout: 60_000 }, () => {
  const nats = useNats();
  let engine: NatsAgentEngine | undefined;
  afterEach(async () => {
    if (nats.server.pid !== undefined) process.kill(nats.server.pid, 'SIGCONT');
    await engine?.close().catch(() => {});
    engine = undefined;
  });

  it('a deactivation save that timed out while the server was paused is saved by the next try, the agent still being ours', async () => {
    const e = (engine = await NatsAgentEngine.connect({
      servers: nats.server.url,
      cluster: uniqueName('c'),
      partitions: 1,
      timings: TIMINGS,
      stateStoreTimeoutMs: 300,
    }));
    await Holder.register(e, 'holder', () => new Holder(), { persistence: 'deactivate' });
    await e.start();
    const id = new AgentId('holder', 'h');
    expect(await e.sendMessage(new Set(7), id)).toBe(7);

    await pauseProcess(nats.server.pid!);
    await expect(e.deactivate(id)).rejects.toThrow(/300 ms|timed out|time/i);
    process.kill(nats.server.pid!, 'SIGCONT');

    // Still this process's agent, still active, its memory changed since (as a later turn would,
    // without a message here: a message whose handler finds the save refused would rebuild the
    // instance): the next try saves that memory, whether or not the timed-out write of 7 landed.
    expect(e.ownedPartitions).toEqual(['holder/0']);
    (await e.tryGetUnderlyingAgentInstance(id, Holder)).value = 9;
    expect(await e.deactivate(id)).toBe(true);
    const stored = await new FencedState(e.stateStore!, 'reader').read(id);
    expect(stored?.state).toEqual({ value: 9 });
  });
});
