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
}

/** The store variant of scenario 4b. */
export const LAZY_STORE_LABEL = 'InMemoryStateStore, maxActiveAgents 10k';

const roundTrips: MetricDef = { key: 'opsPerSec', label: 'round trips/s', unit: '/s', higherIsBetter: true };

/** The scenarios of issue 5, with the sizes of a full or a quick (CI) run. */
export function buildPlan({ quick }: PlanOptions): ScenarioDef[] {
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
