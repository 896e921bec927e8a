/** A figure a variant reports. */
export interface MetricDef {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
}

/** One variant: a fresh child process runs `impl` of `scenario` with `size`. */
export interface VariantDef {
  readonly label: string;
  readonly impl: string;
  readonly size: number;
}

export interface ScenarioDef {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly MetricDef[];
  readonly variants: readonly VariantDef[];
}

export interface PlanOptions {
  readonly quick: boolean;
  /** Whether a NATS server is available for the NATS scenarios. */
  readonly nats?: boolean;
  /** Scenarios asked for by id (`--only`); a quick run then keeps every NATS scenario named. */
  readonly only?: ReadonlySet<string>;
}

/** The store variant of scenario 4b. */
export const LAZY_STORE_LABEL = 'InMemoryStateStore, maxActiveAgents 10k';

const roundTrips: MetricDef = { key: 'opsPerSec', label: 'round trips/s', unit: '/s', higherIsBetter: true };

/** The scenarios of issue 5, with the sizes of a full or a quick (CI) run. */
export function buildPlan({ quick, nats = false, only }: PlanOptions): ScenarioDef[] {
  // A quick (CI) run only proves the NATS path works: one scenario, not the minutes of all four.
  const natsScenarios = nats ? natsPlan(quick).filter((scenario) => !quick || only !== undefined || scenario.id === 'nats-rpc') : [];
  return [...localPlan(quick), ...natsScenarios];
}

/** The NATS engine's scenarios (issue 11), each with its baseline measured on the same server. */
function natsPlan(quick: boolean): ScenarioDef[] {
  const sinks = 10;
  return [
    {
      id: 'nats-rpc',
      title: 'N1. NATS: cross-process RPC, one caller',
      metrics: [roundTrips],
      variants: [
        { label: 'NatsAgentEngine', impl: 'nats-engine', size: 1 },
        { label: 'raw JetStream RPC', impl: 'nats-raw', size: 1 },
      ],
    },
    {
      id: 'nats-rpc1000',
      title: 'N2. NATS: cross-process RPC, 1,000 outstanding calls',
      metrics: [roundTrips],
      variants: [
        { label: 'NatsAgentEngine', impl: 'nats-engine', size: 1000 },
        { label: 'raw JetStream RPC', impl: 'nats-raw', size: 1000 },
      ],
    },
    {
      id: 'nats-fanout',
      title: `N3. NATS: publish fan-out to ${sinks} agent types in two other processes`,
      metrics: [{ key: 'opsPerSec', label: 'deliveries/s', unit: '/s', higherIsBetter: true }],
      variants: [
        { label: 'NatsAgentEngine', impl: 'nats-engine', size: sinks },
        { label: 'pull consumer drain', impl: 'nats-drain', size: quick ? 20_000 : 100_000 },
      ],
    },
    {
      id: 'nats-failover',
      title: 'N4. NATS: failover after kill -9 of the hosting process (default timings)',
      metrics: [{ key: 'failoverMs', label: 'ms until answered again', unit: 'ms', higherIsBetter: false }],
      variants: [{ label: 'NatsAgentEngine', impl: 'nats-engine', size: 1 }],
    },
  ];
}

function localPlan(quick: boolean): ScenarioDef[] {
  const rpcPeers = (size: number): VariantDef[] => [
    ...['engine', 'limit'].map((impl) => ({ label: impl, impl, size })),
    { label: 'limit+ALS', impl: 'limit-als', size },
    ...['nact', 'xstate'].map((impl) => ({ label: impl, impl, size })),
  ];
  const lazyCount = quick ? 20_000 : 1_000_000;
  const subSizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  return [
    { id: 'rpc', title: '1. RPC round trips, one caller', metrics: [roundTrips], variants: rpcPeers(1) },
    {
      id: 'serial',
      title: '1b. RPC round trips, one caller: serial agent vs concurrent',
      metrics: [roundTrips],
      variants: [
        { label: 'concurrent', impl: 'engine', size: 1 },
        { label: 'serial', impl: 'engine-serial', size: 1 },
      ],
    },
    { id: 'rpc1000', title: '2. RPC, 1,000 outstanding calls', metrics: [roundTrips], variants: rpcPeers(1000) },
    {
      id: 'fanout',
      title: '3. Publish fan-out to 100 agent types',
      metrics: [{ key: 'opsPerSec', label: 'deliveries/s', unit: '/s', higherIsBetter: true }],
      variants: ['engine', 'limit'].map((impl) => ({ label: impl, impl, size: 100 })),
    },
    {
      id: 'lazy',
      title: `4. Lazy instantiation, ${lazyCount.toLocaleString('en-US')} distinct keys`,
      metrics: [
        { key: 'agentsPerSecond', label: 'agents created/s', unit: '/s', higherIsBetter: true },
        { key: 'engineBytesPerAgent', label: 'engine heap bytes per idle agent', unit: 'B', higherIsBetter: false },
        { key: 'bareAgentBytes', label: "bytes of the user's bare agent", unit: 'B', higherIsBetter: false },
      ],
      variants: ['engine', 'limit'].map((impl) => ({ label: impl, impl, size: lazyCount })),
    },
    {
      id: 'lazystore',
      title: `4b. Lazy instantiation with a state store and a cap, ${lazyCount.toLocaleString('en-US')} distinct keys`,
      metrics: [{ key: 'agentsPerSecond', label: 'agents activated/s', unit: '/s', higherIsBetter: true }],
      variants: [
        { label: 'no store', impl: 'engine', size: lazyCount },
        { label: LAZY_STORE_LABEL, impl: 'engine-memory-store', size: lazyCount },
      ],
    },
    {
      id: 'subs',
      title: '5. Subscription scale (distinct topic types)',
      metrics: [
        { key: 'subscribeMicros', label: 'µs per subscribe', unit: 'µs', higherIsBetter: false },
        { key: 'publishMicros', label: 'µs publish latency', unit: 'µs', higherIsBetter: false },
      ],
      variants: subSizes.map((size) => ({ label: `${size / 1000}k subs`, impl: 'engine', size })),
    },
    {
      id: 'tracing',
      title: '6. Tracing cost (scenario 1)',
      metrics: [roundTrips],
      variants: [
        { label: 'no provider', impl: 'engine', size: 1 },
        { label: 'OTel SDK, no-op exporter', impl: 'engine-otel', size: 1 },
      ],
    },
    {
      id: 'bounded',
      title: '7. Bounded queue (scenario 2, bounded:1024)',
      metrics: [roundTrips],
      variants: [
        { label: 'bounded 1024', impl: 'engine-bounded', size: 1000 },
        { label: 'unbounded', impl: 'engine', size: 1000 },
        { label: 'limit', impl: 'limit', size: 1000 },
      ],
    },
    {
      id: 'filestore',
      title: '8. FileStateStore saves (fsynced, OS temporary folder)',
      metrics: [{ key: 'savesPerSecond', label: 'saves/s', unit: '/s', higherIsBetter: true }],
      variants: [
        { label: 'one at a time', impl: 'file', size: 1 },
        { label: '64 at a time', impl: 'file', size: 64 },
      ],
    },
    {
      id: 'activation',
      title: '9. Activation latency of an agent with stored state',
      metrics: [{ key: 'activationMicros', label: 'µs to activate and answer', unit: 'µs', higherIsBetter: false }],
      variants: [
        { label: 'no store', impl: 'none', size: 1 },
        { label: 'InMemoryStateStore', impl: 'memory', size: 1 },
        { label: 'FileStateStore', impl: 'file', size: 1 },
      ],
    },
  ];
}
