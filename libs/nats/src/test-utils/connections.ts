import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Resolves at the connection's next `reconnect` status. Call it before restarting a server:
 * requests made while a client is still reconnecting are lost and only time out.
 */
export function nextReconnect(nc: NatsConnection): Promise<void> {
  const status = nc.status();
  return (async () => {
    for await (const event of status) if (event.type === 'reconnect') break;
  })();
}
