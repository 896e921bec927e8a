import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type Msg } from '@nats-io/transport-node';
import { StateStoreTimeoutError } from '@agentopera/engine';
import { InMemoryStateStore, type SetStateOptions } from '@agentopera/state';
import { TypeSubscription } from '@agentopera/subscriptions';
import { NoopEventLogger } from '@agentopera/telemetry';
import { AgentId, MessageChannel, type AgentState } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { Bump, Get, registerTestAgents } from '../test-utils/test-agents.js';
import { uniqueName } from '../test-utils/names.js';
import { NatsAgentEngine } from './nats-agent-engine.js';

/**
 * A store whose every third write reports a timeout, half of those after the write landed (the
 * answer lost): the engine retries those turns uncounted, on a fresh instance of the agent.
 */
class FlakyStore extends InMemoryStateStore {
  private writes = 0;
  override async set(id: AgentId, state: AgentState, options?: SetStateOptions): Promise<string> {
    const n = ++this.writes;
    await new Promise((resolve) => setTimeout(resolve, 2)); // a store across a network: turns queue up behind the one saving
    if (n % 3 !== 0) return super.set(id, state, options);
    if (n % 2 === 0) await super.set(id, state, options);
    throw new StateStoreTimeoutError('set', id, 0);
  }
}

describe('NatsAgentEngine, persistence "turn", while saves fail and turns are retried on new instances', { timeout: 60_000 }, () => {
  const nats = useNats();
  let engine: NatsAgentEngine | undefined;
  afterEach(async () => {
    await engine?.close().catch(() => {});
    engine = undefined;
  });

  it('applies each message id once: every message counted, and a copy of any of them counted never', async () => {
    const e = (engine = await NatsAgentEngine.connect({
      servers: nats.server.url,
      cluster: uniqueName('c'),
      partitions: 1,
      stateStore: new FlakyStore(),
      timings: { redeliveryDelayMs: 10 },
      eventLogger: new NoopEventLogger(), // one warning line per refused save otherwise
    }));
    await registerTestAgents(e, { processId: 'p', turnMs: 1 }); // `counter`: serial, saved every turn
    await e.subscribe(new TypeSubscription('bumps', 'counter'));
    await e.start();
    const channel = new MessageChannel('bumps', 'k');
    const id = new AgentId('counter', 'k');
    // Every stored message, as the server has it (a core subscription sees each publish).
    const watcher = await connect({ servers: nats.server.url });
    const jsm = await jetstreamManager(watcher);
    const settled = async (): Promise<boolean> => {
      const info = await jsm.consumers.info(e.names.inboxStream, e.names.inboxConsumer('counter', 0));
      return info.num_pending + info.num_ack_pending === 0;
    };
    const stored: Msg[] = [];
    watcher.subscribe(e.names.inboxSubject('counter', 0, 'k'), { callback: (_error, msg) => void stored.push(msg) });
    await watcher.flush();
    try {
      await Promise.all(Array.from({ length: 60 }, () => e.publishMessage(new Bump(), channel)));
      await expect.poll(settled, { timeout: 30_000, interval: 50 }).toBe(true);
      await watcher.flush(); // every stored publish has reached the watcher
      const bumps = [...stored];
      expect(bumps).toHaveLength(60);
      expect(await e.sendMessage(new Get(), id)).toBe(60);

      // A copy of every message, as a redelivery after a lost ack would be: none is applied again.
      const js = jetstream(watcher);
      await Promise.all(
        bumps.map((msg, i) => {
          const h = headers();
          for (const [key, values] of msg.headers ?? []) if (key !== 'Nats-Msg-Id') for (const value of values) h.append(key, value);
          return js.publish(msg.subject, msg.data, { headers: h, msgID: `copy-${i}` });
        }),
      );
      await expect.poll(settled, { timeout: 30_000, interval: 50 }).toBe(true);
      expect(await e.sendMessage(new Get(), id)).toBe(60);
    } finally {
      await watcher.close();
    }
  });
});
