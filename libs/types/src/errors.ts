/** Base class of every error AgentOpera throws on purpose, so callers can tell ours from theirs. */
export class AgentOperaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An agent was asked to handle a message it has no handler for. */
export class CantHandleError extends AgentOperaError {}

/** A message could not be delivered to any recipient. */
export class UndeliverableError extends AgentOperaError {}

/** An intervention handler dropped the message (or its response). */
export class MessageDroppedError extends AgentOperaError {}

/** No agent type (or instance) is registered under the requested name. */
export class AgentNotFoundError extends AgentOperaError {}

/** The engine stopped before the message could be processed. */
export class EngineStoppedError extends AgentOperaError {}

/** The operation's cancellation token was cancelled. */
export class CancelledError extends AgentOperaError {
  constructor(message = 'The operation was cancelled', options?: ErrorOptions) {
    super(message, options);
  }
}

/** An engine method was called in a lifecycle state that does not allow it (e.g. `start()` twice). */
export class EngineStateError extends AgentOperaError {}

/** Saved state handed to `loadState` is not of the expected shape. */
export class InvalidStateError extends AgentOperaError {}

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
