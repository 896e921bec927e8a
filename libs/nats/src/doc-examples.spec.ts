import { describeDocExamples } from '../../../tools/vitest/doc-example-tests.js';
import { useNats } from './test-utils/nats-fixture.js';
import { uniqueName } from './test-utils/names.js';

// The examples of README.md and docs/*.md that build an engine, on NatsAgentEngine: the line that
// builds the engine is the only change, as docs/going-distributed.md says a move to NATS is, and
// the engine is closed at the end. Each runs in a cluster of its own on this file's server.
const nats = useNats();
describeDocExamples({ engine: 'NatsAgentEngine', connection: () => ({ servers: nats.server.url, cluster: uniqueName('docs') }) });
