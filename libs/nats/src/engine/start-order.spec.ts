import { AgentId } from '@agentopera/types';
import { afterEach, describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { Ping, registerTestAgents, registerTestSerializers } from '../test-utils/test-agents.js';
import { TEST_TIMINGS } from '../test-utils/test-cluster.js';
import { NatsAgentEngine } from './nats-agent-engine.js';

// The README says not awaiting `start()` is fine: registrations on either side of it are hosted.
describe('NatsAgentEngine: start() not awaited, before or after registration', { timeout: 30_000 }, () => {
  const nats = useNats();
  const engines: NatsAgentEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => {})));
  });

  async function engine(): Promise<NatsAgentEngine> {
    const made = await NatsAgentEngine.connect({ servers: nats.server.url, cluster: uniqueName('c'), partitions: 2, timings: TEST_TIMINGS, rpcTimeoutMs: 8000 });
    engines.push(made);
    registerTestSerializers(made);
    return made;
  }

  it('engine.start(); await register(…): the type is hosted', async () => {
    const made = await engine();
    void made.start();
    await registerTestAgents(made, { processId: made.processId });
    expect(await made.sendMessage(new Ping('after start'), new AgentId('echo', 'a'))).toMatchObject({ echo: 'after start' });
  });

  it('await register(…); engine.start(): the type is hosted', async () => {
    const made = await engine();
    await registerTestAgents(made, { processId: made.processId });
    void made.start();
    expect(await made.sendMessage(new Ping('before start'), new AgentId('echo', 'b'))).toMatchObject({ echo: 'before start' });
  });
});
