import { AgentOperaError } from '@agentopera/types';

/**
 * An RPC reached no handler, or got no answer, before its deadline (`rpcTimeoutMs` or the
 * call's signal): the hosting process may have died and no other took the message in time.
 */
export class DeliveryTimeoutError extends AgentOperaError {
  override readonly name: string = 'DeliveryTimeoutError';
  override readonly code: string = 'DELIVERY_TIMEOUT';
}

/**
 * A remote handler threw something other than the errors that cross processes as themselves
 * (`AgentNotFoundError`, `CantHandleError`, `CancelledError`, `MessageDroppedError`). It carries
 * the remote error's `name`, `message` and `stack`.
 */
export class RemoteHandlerError extends AgentOperaError {
  override readonly name: string = 'RemoteHandlerError';
  override readonly code: string = 'REMOTE_HANDLER_ERROR';
  constructor(
    /** The `name` of the error thrown in the remote handler. */
    readonly remoteName: string,
    /** Its `message`. */
    readonly remoteMessage: string,
    /** Its `stack`, as the remote process formatted it. */
    readonly remoteStack: string | undefined,
  ) {
    super(`${remoteName}: ${remoteMessage}`);
  }
}

/**
 * A call reused a message id that its recipient (an agent with `persistence: 'turn'`) already
 * committed: the handler did not run again, and its first answer is not kept. Only the recipient's
 * committed ids decide this: the stream's own de-duplication of an RPC never rejects a call.
 */
export class DuplicateMessageError extends AgentOperaError {
  override readonly name: string = 'DuplicateMessageError';
  override readonly code: string = 'DUPLICATE_MESSAGE';
}
