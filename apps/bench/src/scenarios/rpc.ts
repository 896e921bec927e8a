import type { RpcTarget } from '../impl/rpc-target.js';
import { opsPerSecond } from '../timing.js';

const BATCH = 1000;

/** Scenario 1: one caller awaiting each call. Returns round trips per second. */
export async function sequentialRoundTrips(target: RpcTarget, seconds: number, warmup: number): Promise<number> {
  return opsPerSecond(
    async () => {
      for (let i = 0; i < BATCH; i++) await target.call(i);
      return BATCH;
    },
    seconds,
    warmup,
  );
}

/** Scenarios 2 and 7: `outstanding` callers, each issuing its next call when the last returns. */
export async function concurrentRoundTrips(
  target: RpcTarget,
  outstanding: number,
  seconds: number,
  warmup: number,
): Promise<number> {
  const perCaller = 20;
  return opsPerSecond(
    async () => {
      const callers: Promise<void>[] = [];
      for (let c = 0; c < outstanding; c++) {
        callers.push(
          (async () => {
            for (let i = 0; i < perCaller; i++) await target.call(i);
          })(),
        );
      }
      await Promise.all(callers);
      return outstanding * perCaller;
    },
    seconds,
    warmup,
  );
}
