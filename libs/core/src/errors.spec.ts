import { describe, expect, it } from 'vitest';
import * as core from './index.js';
import { AgentId, MessageChannel, TypeSubscription } from './index.js';

// Every error class any library exports, with its stable name and code. A minifier renames
// classes (`CantHandleError` becomes `ae`), so name and code must be literals, never derived from
// the constructor: each class is renamed here before it is built.

type ErrorClass = abstract new (...args: never[]) => Error;

const subscription = new TypeSubscription('news', 'reader', 'sub-1');
const channel = new MessageChannel('weather', 'k');

const table: Record<string, { readonly code: string; readonly make: () => Error; readonly parent?: ErrorClass }> = {
  AgentOperaError: { code: 'AGENTOPERA_ERROR', make: () => new core.AgentOperaError('m') },
  CantHandleError: { code: 'CANT_HANDLE', make: () => new core.CantHandleError('m'), parent: core.AgentOperaError },
  UndeliverableError: { code: 'UNDELIVERABLE', make: () => new core.UndeliverableError('m'), parent: core.AgentOperaError },
  MessageDroppedError: { code: 'MESSAGE_DROPPED', make: () => new core.MessageDroppedError('m'), parent: core.AgentOperaError },
  AgentNotFoundError: { code: 'AGENT_NOT_FOUND', make: () => new core.AgentNotFoundError('m'), parent: core.AgentOperaError },
  EngineStoppedError: { code: 'ENGINE_STOPPED', make: () => new core.EngineStoppedError('m'), parent: core.AgentOperaError },
  CancelledError: { code: 'CANCELLED', make: () => new core.CancelledError(), parent: core.AgentOperaError },
  EngineStateError: { code: 'ENGINE_STATE', make: () => new core.EngineStateError('m'), parent: core.AgentOperaError },
  InvalidStateError: { code: 'INVALID_STATE', make: () => new core.InvalidStateError('m'), parent: core.AgentOperaError },
  OutsideContextError: { code: 'OUTSIDE_CONTEXT', make: () => new core.OutsideContextError('m'), parent: core.AgentOperaError },
  QueueShutDownError: { code: 'QUEUE_SHUT_DOWN', make: () => new core.QueueShutDownError() },
  QueueFullError: { code: 'QUEUE_FULL', make: () => new core.QueueFullError() },
  QueueEmptyError: { code: 'QUEUE_EMPTY', make: () => new core.QueueEmptyError() },
  QueueTaskDoneError: { code: 'QUEUE_TASK_DONE', make: () => new core.QueueTaskDoneError() },
  DuplicateSubscriptionError: {
    code: 'DUPLICATE_SUBSCRIPTION',
    make: () => new core.DuplicateSubscriptionError(subscription, subscription),
    parent: core.AgentOperaError,
  },
  UnknownSubscriptionError: {
    code: 'UNKNOWN_SUBSCRIPTION',
    make: () => new core.UnknownSubscriptionError('sub-2'),
    parent: core.AgentOperaError,
  },
  SubscriptionMismatchError: {
    code: 'SUBSCRIPTION_MISMATCH',
    make: () => new core.SubscriptionMismatchError(subscription, channel),
    parent: core.CantHandleError,
  },
  MessageCodecError: { code: 'MESSAGE_CODEC', make: () => new core.MessageCodecError('T', 'm') },
  UnknownSerializerError: {
    code: 'UNKNOWN_SERIALIZER',
    make: () => new core.UnknownSerializerError('T', 'application/json'),
    parent: core.MessageCodecError,
  },
  SerializationError: { code: 'SERIALIZATION', make: () => new core.SerializationError('T', 'm'), parent: core.MessageCodecError },
  DeserializationError: { code: 'DESERIALIZATION', make: () => new core.DeserializationError('T', 'm'), parent: core.MessageCodecError },
  HandlerDefinitionError: { code: 'HANDLER_DEFINITION', make: () => new core.HandlerDefinitionError('m'), parent: core.AgentOperaError },
  AgentBindingError: { code: 'AGENT_BINDING', make: () => new core.AgentBindingError('m'), parent: core.AgentOperaError },
  StateConflictError: { code: 'STATE_CONFLICT', make: () => new core.StateConflictError(new AgentId('a', 'k'), null, '1'), parent: core.AgentOperaError },
  StateStoreClosedError: { code: 'STATE_STORE_CLOSED', make: () => new core.StateStoreClosedError('m'), parent: core.AgentOperaError },
  CorruptStateError: { code: 'STATE_CORRUPT', make: () => new core.CorruptStateError('m'), parent: core.AgentOperaError },
  StateStoreLocationError: { code: 'STATE_STORE_LOCATION', make: () => new core.StateStoreLocationError('m'), parent: core.AgentOperaError },
  StateStoreTimeoutError: {
    code: 'STATE_STORE_TIMEOUT',
    make: () => new core.StateStoreTimeoutError('set', new AgentId('a', 'k'), 10),
    parent: core.AgentOperaError,
  },
  TurnNotCommittedError: { code: 'TURN_NOT_COMMITTED', make: () => new core.TurnNotCommittedError(new AgentId('a', 'k')), parent: core.AgentOperaError },
};

const exportedErrorClasses = Object.entries(core)
  .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
  .map(([name]) => name)
  .sort();

/** Builds with the class renamed as a minifier would, then restores the name. */
function buildMinified(cls: ErrorClass, make: () => Error): Error {
  const original = Object.getOwnPropertyDescriptor(cls, 'name')!;
  Object.defineProperty(cls, 'name', { ...original, value: 'ae' });
  try {
    return make();
  } finally {
    Object.defineProperty(cls, 'name', original);
  }
}

describe('error classes of every library', () => {
  it('are all in this table', () => {
    expect(exportedErrorClasses).toEqual(Object.keys(table).sort());
  });

  it('have distinct codes', () => {
    const codes = Object.values(table).map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(Object.entries(table))('%s keeps its name and code when its class is renamed', (name, { code, make, parent }) => {
    const cls = (core as unknown as Record<string, ErrorClass>)[name]!;
    const error = buildMinified(cls, make);
    expect(error).toBeInstanceOf(cls);
    if (parent !== undefined) expect(error).toBeInstanceOf(parent);
    expect(error.name).toBe(name);
    expect((error as Error & { code: unknown }).code).toBe(code);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
    expect(error.stack).toMatch(new RegExp(`^${name}: `));
  });

  it('give your own subclass its class name unless it sets one', () => {
    class QuotaError extends core.AgentOperaError {}
    expect(new QuotaError('over').name).toBe('QuotaError');
    expect(new QuotaError('over').code).toBe('AGENTOPERA_ERROR');
  });

  it('include what mapToAgent on a foreign channel throws: a CantHandleError', () => {
    expect(() => subscription.mapToAgent(channel)).toThrow(core.CantHandleError);
    expect(subscription.mapToAgent(new MessageChannel('news', 'k'))).toEqual(new AgentId('reader', 'k'));
  });
});
