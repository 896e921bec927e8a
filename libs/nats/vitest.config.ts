import { libTestConfig } from '../../tools/vitest/lib-config.ts';

// No retry: a test that passes only on a second try is a failing test. The multi-process and fault
// tests are run many times in a row by `npm run test:faults` (tools/scripts/repeat-fault-tests.mjs).
export default libTestConfig('nats');
