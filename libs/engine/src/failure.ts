import { isNoOpLifecycle, type Agent, type AgentState } from '@agentopera/types';

/**
 * An operation's error, wrapped so that a completion callback can tell failure from success even
 * when the error itself is `undefined` (anything can be thrown). Only failures allocate one.
 */
export class Failure {
  constructor(readonly error: unknown) {}
}

/** Called once when an operation ends: with nothing on success, with its `Failure` otherwise. */
export type Completion = (failure?: Failure) => void;

/**
 * Calls one of an agent's lifecycle methods and reports how it ended: at once, with `noOpValue`,
 * when the method is marked as having no effect (`noOpLifecycle`).
 */
export function callLifecycle<T>(
  agent: Agent,
  method: 'saveState' | 'loadState' | 'close',
  argument: AgentState | undefined,
  noOpValue: T,
  done: (failure: Failure | undefined, value?: T) => void,
): void {
  const fn = agent[method] as (this: Agent, argument: AgentState | undefined) => Promise<T> | T;
  if (isNoOpLifecycle(fn)) return done(undefined, noOpValue);
  settleWith(() => fn.call(agent, argument), done);
}

/** Calls `call` (an agent's async method) and reports how it ended; a synchronous throw counts as a rejection. */
export function settleWith<T>(call: () => Promise<T> | T, done: (failure: Failure | undefined, value?: T) => void): void {
  let result: Promise<T> | T;
  try {
    result = call();
  } catch (error) {
    return done(new Failure(error));
  }
  if (!isPromiseLike(result)) return done(undefined, result);
  result.then(
    (value) => done(undefined, value),
    (error: unknown) => done(new Failure(error)),
  );
}

function isPromiseLike<T>(value: Promise<T> | T): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Throws the one error, an `AggregateError` of several (`${count} ${what}`), or nothing. */
export function throwAll(errors: readonly unknown[], what: string): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} ${what}`);
}
