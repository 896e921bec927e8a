// The multi-process and fault test files: real worker processes, kill -9 and SIGSTOP of workers and
// servers, server restarts, 3-server clusters. `npm run test:faults` runs them many times in a row;
// CI runs them only on the repository's own Node (24), since what they prove is about processes,
// servers and timing, not about the Node version. A new fault test file belongs in this list.
export const FAULT_TEST_FILES = [
  'libs/nats/src/engine/engine-processes.spec.ts',
  'libs/nats/src/engine/server-kill.spec.ts',
  'libs/nats/src/engine/rpc-cluster.spec.ts',
  'libs/nats/src/engine/fenced-saves.spec.ts',
  'libs/nats/src/engine/clock-skew.spec.ts',
  'libs/nats/src/engine/slow-broker.spec.ts',
  'libs/nats/src/cluster/cluster-faults.spec.ts',
  'libs/nats/src/cluster/leader-kill.spec.ts',
  'libs/nats/src/cluster/jetstream-publisher-cluster.spec.ts',
  'libs/nats/src/cluster/partition-leases.spec.ts',
  'libs/nats/src/cluster/membership.spec.ts',
  'libs/nats/src/test-utils/nats-cluster.spec.ts',
];
