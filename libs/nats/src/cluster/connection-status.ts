import type { NatsConnection, Status } from '@nats-io/transport-node';

/**
 * Calls `listener` for each status event of the connection (`disconnect`, `reconnect`, …) until
 * the returned function is called. nats.js returns a stoppable iterator that its typings hide.
 */
export function onConnectionStatus(nc: NatsConnection, listener: (status: Status) => void): () => void {
  const events = nc.status() as AsyncIterable<Status> & { stop?: () => void };
  void (async () => {
    for await (const status of events) listener(status);
  })().catch(() => {});
  return () => events.stop?.();
}
