/**
 * Base of every error AgentOpera throws on purpose, so callers can tell ours from theirs. Each
 * class sets `name` and `code` as string literals: both survive minification, which renames
 * classes (`error.constructor.name` becomes `ae`). A subclass of yours that sets no `name` gets
 * its class name.
 */
export class AgentOperaError extends Error {
  /** A stable identifier of the kind of failure, e.g. `'CANT_HANDLE'`; never renamed. */
  readonly code: string = 'AGENTOPERA_ERROR';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // Our subclasses overwrite this with their own literal (field initializers run after this).
    this.name = new.target === AgentOperaError ? 'AgentOperaError' : new.target.name;
  }
}

/** An agent was asked to handle a message it has no handler for. */
export class CantHandleError extends AgentOperaError {
  override readonly name: string = 'CantHandleError';
  override readonly code: string = 'CANT_HANDLE';
}

/** A message could not be delivered to any recipient. */
export class UndeliverableError extends AgentOperaError {
  override readonly name: string = 'UndeliverableError';
  override readonly code: string = 'UNDELIVERABLE';
}

/** An intervention handler dropped the message (or its response). */
export class MessageDroppedError extends AgentOperaError {
  override readonly name: string = 'MessageDroppedError';
  override readonly code: string = 'MESSAGE_DROPPED';
}

/** No agent type (or instance) is registered under the requested name. */
export class AgentNotFoundError extends AgentOperaError {
  override readonly name: string = 'AgentNotFoundError';
  override readonly code: string = 'AGENT_NOT_FOUND';
}

/** The engine stopped before the message could be processed. */
export class EngineStoppedError extends AgentOperaError {
  override readonly name: string = 'EngineStoppedError';
  override readonly code: string = 'ENGINE_STOPPED';
}

/** The operation's cancellation token was cancelled. */
export class CancelledError extends AgentOperaError {
  override readonly name: string = 'CancelledError';
  override readonly code: string = 'CANCELLED';

  constructor(message = 'The operation was cancelled', options?: ErrorOptions) {
    super(message, options);
  }
}

/** An engine method was called in a lifecycle state that does not allow it (e.g. `start()` twice). */
export class EngineStateError extends AgentOperaError {
  override readonly name: string = 'EngineStateError';
  override readonly code: string = 'ENGINE_STATE';
}

/** Saved state handed to `loadState` is not of the expected shape. */
export class InvalidStateError extends AgentOperaError {
  override readonly name: string = 'InvalidStateError';
  override readonly code: string = 'INVALID_STATE';
}

/** Formats a value for an error message: strings quoted, everything else as JSON where possible. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object' && value !== null && value.constructor && value.constructor !== Object) {
    return `instance of ${value.constructor.name}`;
  }
  try {
    return String(JSON.stringify(value));
  } catch {
    return String(value);
  }
}
