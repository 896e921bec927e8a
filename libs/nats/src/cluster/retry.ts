import { errors } from '@nats-io/transport-node';

/**
 * Retries a JetStream API request that timed out or found no responder: a request made while the
 * client reconnects is lost (nats.js), and JetStream answers "no responders" for a moment after a
 * server restart. Other failures, and the last one past `withinMs`, are thrown.
 */
export async function retryRequest<T>(request: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const transient = error instanceof errors.TimeoutError || error instanceof errors.NoRespondersError || error instanceof errors.RequestError;
      if (!transient || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
    }
  }
}
