import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { natsServerCanRestart } from '../test-utils/nats-server.js';
import { pauseProcess } from '../test-utils/pause-process.js';
import { NatsAgentEngine } from './nats-agent-engine.js';

// A replicated stream can take a busy or electing cluster longer to create than one JetStream
// request's timeout (2 s): a 3-server test cluster under load once failed connect() so.
describe.skipIf(!natsServerCanRestart())('NatsAgentEngine.connect on a broker that answers late', { timeout: 60_000 }, () => {
  const nats = useNats();
  afterEach(() => {
    if (nats.server.pid !== undefined) process.kill(nats.server.pid, 'SIGCONT');
  });

  it('creates the cluster\'s streams and buckets once the broker answers, instead of failing at the first timeout', async () => {
    const nc = await connect({ servers: nats.server.url });
    try {
      await pauseProcess(nats.server.pid!);
      const connecting = NatsAgentEngine.connect({ connection: nc, cluster: uniqueName('c') });
      // Paused past one request's timeout. Before: connect() rejected with TimeoutError.
      setTimeout(() => process.kill(nats.server.pid!, 'SIGCONT'), 3000);
      const engine = await connecting;
      const jsm = await jetstreamManager(nc);
      for (const stream of [engine.names.inboxStream, engine.names.deadLetterStream, `KV_${engine.names.subscriptionsBucket}`]) {
        expect((await jsm.streams.info(stream)).config.name).toBe(stream);
      }
      await engine.close();
    } finally {
      await nc.close();
    }
  });
});
