// One variant in a fresh process (AsyncLocalStorage hooks and JIT state must not leak between
// variants): `node --expose-gc variant.js <scenario> <impl> <size> <seconds> <warmup>` prints one
// JSON line of metrics.
import { engineFanOut, engineRpc } from './impl/engine-targets.js';
import { limitFanOut, limitRpc, limitRpcWithContext } from './impl/limit-targets.js';
import { nactRpc, xstateRpc } from './impl/peer-targets.js';
import type { RpcTarget } from './impl/rpc-target.js';
import { fanOutDeliveries } from './scenarios/fan-out.js';
import { activationMicros } from './scenarios/activation-latency.js';
import { fileStoreSavesPerSecond } from './scenarios/file-store-saves.js';
import { lazyInstantiation } from './scenarios/lazy-instantiation.js';
import { lazyActivationsPerSecond } from './scenarios/lazy-with-store.js';
import { concurrentRoundTrips, sequentialRoundTrips } from './scenarios/rpc.js';
import { subscriptionScale } from './scenarios/subscription-scale.js';
import { pullConsumerDrainRate } from './nats/drain-rate.js';
import { natsEngineFanOut, natsEngineRpc, natsFailover } from './nats/engine-targets.js';
import { rawJetStreamRpc } from './nats/raw-jetstream-rpc.js';

async function rpcTarget(impl: string, outstanding: number): Promise<RpcTarget> {
  switch (impl) {
    case 'engine':
      return engineRpc('default');
    case 'engine-otel':
      return engineRpc('otel');
    case 'engine-bounded':
      return engineRpc('bounded');
    case 'engine-serial':
      return engineRpc('serial');
    case 'limit':
      return limitRpc();
    case 'limit-als':
      return limitRpcWithContext();
    case 'nact':
      return nactRpc(outstanding);
    case 'xstate':
      return xstateRpc();
    default:
      throw new Error(`unknown implementation ${impl}`);
  }
}

async function run(scenario: string, impl: string, size: number, seconds: number, warmup: number): Promise<Record<string, number>> {
  switch (scenario) {
    case 'rpc':
    case 'serial':
    case 'tracing':
    case 'rpc1000':
    case 'bounded': {
      const target = await rpcTarget(impl, size);
      const opsPerSec =
        size <= 1
          ? await sequentialRoundTrips(target, seconds, warmup)
          : await concurrentRoundTrips(target, size, seconds, warmup);
      await target.close();
      return { opsPerSec };
    }
    case 'fanout': {
      const target = impl === 'limit' ? limitFanOut(size) : await engineFanOut(size);
      const opsPerSec = await fanOutDeliveries(target, size, seconds, warmup);
      await target.close();
      return { opsPerSec };
    }
    case 'lazy':
      return { ...(await lazyInstantiation(impl, size)) };
    case 'lazystore':
      return { agentsPerSecond: await lazyActivationsPerSecond(impl, size) };
    case 'filestore':
      return { savesPerSecond: await fileStoreSavesPerSecond(size, seconds, warmup) };
    case 'activation':
      return { activationMicros: await activationMicros(impl, seconds, warmup) };
    case 'subs':
      return { ...(await subscriptionScale(size, seconds, warmup)) };
    case 'nats-rpc':
    case 'nats-rpc1000': {
      const url = natsUrl();
      const target = impl === 'nats-raw' ? await rawJetStreamRpc(url) : await natsEngineRpc(url);
      const opsPerSec = size <= 1 ? await sequentialRoundTrips(target, seconds, warmup) : await concurrentRoundTrips(target, size, seconds, warmup);
      await target.close();
      return { opsPerSec };
    }
    case 'nats-fanout': {
      const url = natsUrl();
      if (impl === 'nats-drain') return { opsPerSec: await pullConsumerDrainRate(url, size) };
      const target = await natsEngineFanOut(url, size);
      // 100 publishes (1,000 deliveries) in flight per batch: stores are pipelined as the drain's are.
      const opsPerSec = await fanOutDeliveries(target, size, seconds, warmup, 100);
      await target.close();
      return { opsPerSec };
    }
    case 'nats-failover':
      return { failoverMs: (await natsFailover(natsUrl())).failoverMs };
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

function natsUrl(): string {
  const url = process.env['NATS_URL'];
  if (!url) throw new Error('The NATS scenarios need NATS_URL (main.js sets it)');
  return url;
}

const [scenario = '', impl = '', size = '1', seconds = '1', warmup = '0.5'] = process.argv.slice(2);
const metrics = await run(scenario, impl, Number(size), Number(seconds), Number(warmup));
process.stdout.write(`${JSON.stringify({ metrics })}\n`);
// nact and xstate may leave timers behind; the result is out, so end now.
process.exit(0);
