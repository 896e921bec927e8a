import { LAZY_STORE_LABEL } from './plan.js';
import type { Ratio, ScenarioResult } from './results.js';

function median(scenario: ScenarioResult | undefined, label: string, metric = 'opsPerSec'): number | undefined {
  return scenario?.variants.find((v) => v.label === label)?.metrics[metric]?.median;
}

function ratio(scenario: string, name: string, value: number | undefined, target?: { at: number; atLeast: boolean }): Ratio[] {
  if (value === undefined || !Number.isFinite(value)) return [];
  if (target === undefined) return [{ scenario, name, value }];
  return [
    {
      scenario,
      name,
      value,
      target: `${target.atLeast ? '≥' : '≤'} ${target.at}`,
      met: target.atLeast ? value >= target.at : value <= target.at,
    },
  ];
}

const div = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined ? undefined : a / b;

/** The ratios issues 5 and 10 set targets for (and figures they ask to report), computed from medians. */
export function headlineRatios(scenarios: readonly ScenarioResult[]): Ratio[] {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const out: Ratio[] = [];
  for (const id of ['rpc', 'rpc1000']) {
    const s = byId.get(id);
    const engine = median(s, 'engine');
    const peers = [median(s, 'nact'), median(s, 'xstate')].filter((v): v is number => v !== undefined);
    out.push(...ratio(id, 'engine / limit', div(engine, median(s, 'limit')), { at: 0.3, atLeast: true }));
    out.push(...ratio(id, 'engine / limit+ALS', div(engine, median(s, 'limit+ALS'))));
    out.push(...ratio(id, 'limit+ALS / limit', div(median(s, 'limit+ALS'), median(s, 'limit'))));
    if (peers.length > 0) out.push(...ratio(id, 'engine / faster peer', div(engine, Math.max(...peers)), { at: 4, atLeast: true }));
  }
  const serial = byId.get('serial');
  out.push(...ratio('serial', 'serial / concurrent', div(median(serial, 'serial'), median(serial, 'concurrent')), { at: 0.8, atLeast: true }));
  const fan = byId.get('fanout');
  out.push(...ratio('fanout', 'engine / limit', div(median(fan, 'engine'), median(fan, 'limit')), { at: 0.2, atLeast: true }));
  const lazy = byId.get('lazy');
  out.push(...ratio('lazy', 'agents created/s', median(lazy, 'engine', 'agentsPerSecond'), { at: 1e6, atLeast: true }));
  out.push(...ratio('lazy', 'agents created/s engine / limit', div(median(lazy, 'engine', 'agentsPerSecond'), median(lazy, 'limit', 'agentsPerSecond'))));
  out.push(...ratio('lazy', 'engine bytes per idle agent', median(lazy, 'engine', 'engineBytesPerAgent'), { at: 400, atLeast: false }));
  const lazyStore = byId.get('lazystore');
  out.push(
    ...ratio(
      'lazystore',
      'agents activated/s with store and cap / without',
      div(median(lazyStore, LAZY_STORE_LABEL, 'agentsPerSecond'), median(lazyStore, 'no store', 'agentsPerSecond')),
      { at: 0.5, atLeast: true },
    ),
  );
  const subs = byId.get('subs');
  if (subs !== undefined && subs.variants.length > 1) {
    const first = subs.variants[0];
    const last = subs.variants[subs.variants.length - 1];
    for (const [metric, name] of [
      ['subscribeMicros', 'subscribe time'],
      ['publishMicros', 'publish latency'],
    ] as const) {
      const value = div(last.metrics[metric]?.median, first.metrics[metric]?.median);
      out.push(...ratio('subs', `${name} ${last.label} / ${first.label}`, value, { at: 2, atLeast: false }));
    }
  }
  const tracing = byId.get('tracing');
  out.push(...ratio('tracing', 'OTel SDK / no provider', div(median(tracing, 'OTel SDK, no-op exporter'), median(tracing, 'no provider'))));
  const bounded = byId.get('bounded');
  out.push(...ratio('bounded', 'bounded / unbounded', div(median(bounded, 'bounded 1024'), median(bounded, 'unbounded'))));
  out.push(...ratio('bounded', 'bounded / limit', div(median(bounded, 'bounded 1024'), median(bounded, 'limit'))));
  const files = byId.get('filestore');
  out.push(...ratio('filestore', 'FileStateStore saves/s, one at a time', median(files, 'one at a time', 'savesPerSecond')));
  out.push(...ratio('filestore', 'FileStateStore saves/s, 64 at a time', median(files, '64 at a time', 'savesPerSecond')));
  const activation = byId.get('activation');
  for (const label of ['no store', 'InMemoryStateStore', 'FileStateStore']) {
    out.push(...ratio('activation', `µs to activate and answer, ${label}`, median(activation, label, 'activationMicros')));
  }
  out.push(...natsRatios(byId));
  return out;
}

/** The NATS engine against its baselines measured in the same run (issue 11's targets). */
function natsRatios(byId: Map<string, ScenarioResult>): Ratio[] {
  const out: Ratio[] = [];
  const engine = 'NatsAgentEngine';
  out.push(...ratio('nats-rpc', 'engine / raw JetStream RPC', div(median(byId.get('nats-rpc'), engine), median(byId.get('nats-rpc'), 'raw JetStream RPC')), { at: 0.7, atLeast: true }));
  out.push(
    ...ratio('nats-rpc1000', 'engine / raw JetStream RPC', div(median(byId.get('nats-rpc1000'), engine), median(byId.get('nats-rpc1000'), 'raw JetStream RPC')), {
      at: 0.5,
      atLeast: true,
    }),
  );
  out.push(
    ...ratio('nats-fanout', 'engine deliveries / pull consumer drain', div(median(byId.get('nats-fanout'), engine), median(byId.get('nats-fanout'), 'pull consumer drain')), {
      at: 0.3,
      atLeast: true,
    }),
  );
  // Lease TTL (6 s) + redelivery delay (none: the new owner resets the consumer) + 1 s.
  out.push(...ratio('nats-failover', 'failover ms (bound: lease TTL + redelivery + 1 s)', median(byId.get('nats-failover'), engine, 'failoverMs'), { at: 7000, atLeast: false }));
  return out;
}
