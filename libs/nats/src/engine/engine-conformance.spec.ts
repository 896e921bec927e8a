import { describeAgentEngineConformance } from '@agentopera/engine/testing';
import { uniqueName } from '../test-utils/names.js';
import { useNats } from '../test-utils/nats-fixture.js';
import { NatsAgentEngine } from './nats-agent-engine.js';

// The engine conformance kit, run against a NatsAgentEngine of its own cluster per test (one
// program, two engines), on a server of this file's own.
const nats = useNats();
const TIMINGS = { leaseTtlMs: 1500, heartbeatMs: 150, memberTtlMs: 700, ackWaitMs: 2000, redeliveryDelayMs: 50 };

describeAgentEngineConformance('NatsAgentEngine', (options) =>
  NatsAgentEngine.connect({
    servers: nats.server.url,
    cluster: uniqueName('kit'),
    partitions: 2,
    timings: TIMINGS,
    rpcTimeoutMs: 20_000,
    ...options,
  }),
);
