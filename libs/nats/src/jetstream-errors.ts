import { JetStreamApiCodes, JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { StateStoreTimeoutError } from '@agentopera/engine';

/** A compare-and-set publish (KV create / update / delete with a revision) found another revision. */
export function isWrongLastSequence(error: unknown): boolean {
  if (!(error instanceof JetStreamApiError)) return false;
  return error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown;
}

/** The JetStream API error code of `error`, if it is one. */
export function jetStreamErrorCode(error: unknown): number | undefined {
  return error instanceof JetStreamApiError ? error.code : undefined;
}

/** A JetStream API answer that the consumer asked for does not exist (10014). */
export function isConsumerNotFound(error: unknown): boolean {
  return jetStreamErrorCode(error) === JetStreamApiCodes.ConsumerNotFound;
}

/**
 * Failures of the broker, the store or the connection, as opposed to the application's own errors:
 * they pass once the broker is back, so they are retried and never count as a failed delivery.
 * nats.js reports a stream or KV bucket without a leader (a cluster electing one) as
 * `JetStreamNotEnabled`, an `Error` that is not a `JetStreamError`; a request made while the
 * connection drains fails with `DrainingConnectionError`.
 */
export function isInfrastructureError(error: unknown): boolean {
  return (
    error instanceof StateStoreTimeoutError ||
    error instanceof JetStreamError ||
    error instanceof JetStreamApiError ||
    (error instanceof Error && error.name === 'JetStreamNotEnabled') || // not exported by @nats-io/jetstream's main entry
    error instanceof errors.TimeoutError ||
    error instanceof errors.RequestError ||
    error instanceof errors.NoRespondersError ||
    error instanceof errors.ConnectionError ||
    error instanceof errors.ClosedConnectionError ||
    error instanceof errors.DrainingConnectionError
  );
}
