import { performance } from 'node:perf_hooks';
import { LocalAgentEngine, MessageChannel, TypeSubscription } from '@agentopera/core';
import { CountingAgent, DeliveryCounter } from '../impl/echo-agent.js';
import { opsPerSecond } from '../timing.js';

export interface SubscriptionScaleResult {
  readonly subscribeMicros: number;
  readonly publishMicros: number;
}

const STEP = 1000;

/**
 * Scenario 5: with `size` TypeSubscriptions of distinct topic types held, the time of one more
 * subscribe (batches of 1000 subscribed then removed again, so the size stays put) and the latency
 * of a publish to one topic until its handler ran.
 */
export async function subscriptionScale(size: number, seconds: number, warmup: number): Promise<SubscriptionScaleResult> {
  const engine = new LocalAgentEngine();
  const counter = new DeliveryCounter();
  await engine.registerAgentBuilder('sink', () => new CountingAgent(counter));
  await engine.subscribe(new TypeSubscription('hot', 'sink', 'hot'));
  for (let i = 1; i < size - STEP; i++) await engine.subscribe(new TypeSubscription(`topic${i}`, 'sink', `s${i}`));

  let next = size;
  let timed = 0;
  let subscribed = 0;
  const deadline = performance.now() + (seconds + warmup) * 1000;
  do {
    const first = next;
    const start = performance.now();
    for (let i = 0; i < STEP; i++, next++) await engine.subscribe(new TypeSubscription(`topic${next}`, 'sink', `s${next}`));
    timed += performance.now() - start;
    subscribed += STEP;
    for (let i = first; i < next; i++) await engine.unsubscribe(`s${i}`);
  } while (performance.now() < deadline);
  for (let i = 0; i < STEP; i++, next++) await engine.subscribe(new TypeSubscription(`topic${next}`, 'sink', `s${next}`));

  engine.start();
  const channel = new MessageChannel('hot', 'k');
  const publishes = await opsPerSecond(
    async () => {
      for (let i = 0; i < 100; i++) {
        await engine.publishMessage(i, channel);
        await counter.waitFor(1);
      }
      return 100;
    },
    seconds,
    warmup,
  );
  await engine.stop();
  return { subscribeMicros: (timed * 1000) / subscribed, publishMicros: 1e6 / publishes };
}
