// The multi-process and fault test files: real worker processes, kill -9, SIGSTOP, server restarts.
// `npm run test:faults` runs them many times in a row; CI runs them only on the repository's own
// Node (24), since what they prove is about processes and timing, not about the Node version.
export const FAULT_TEST_FILES = [
  'libs/nats/src/engine/engine-processes.spec.ts',
  'libs/nats/src/cluster/cluster-faults.spec.ts',
  'libs/nats/src/cluster/partition-leases.spec.ts',
  'libs/nats/src/cluster/membership.spec.ts',
];
