import { describeDocExamples } from '../../../tools/vitest/doc-example-tests.js';

// The examples of README.md and docs/*.md run as written on LocalAgentEngine, and those that build
// no engine run here once; libs/nats/src/doc-examples.spec.ts runs them on NatsAgentEngine.
describeDocExamples({ engine: 'LocalAgentEngine' });
