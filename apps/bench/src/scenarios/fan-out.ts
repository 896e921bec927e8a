import type { FanOutTarget } from '../impl/rpc-target.js';
import { opsPerSecond } from '../timing.js';

/** Scenario 3: deliveries per second of publishes to one channel with `subscribers` recipients. */
export async function fanOutDeliveries(
  target: FanOutTarget,
  subscribers: number,
  seconds: number,
  warmup: number,
  perBatch = 20,
): Promise<number> {
  return opsPerSecond(
    async () => {
      await target.publishBatch(perBatch);
      return perBatch * subscribers;
    },
    seconds,
    warmup,
  );
}
