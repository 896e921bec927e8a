import { describeValue } from '@agentopera/types';

/** A thrown value as JSON-safe `{ name, message }`; anything may be thrown, not only errors. */
export interface ExceptionDescription {
  readonly name: string;
  readonly message: string;
}

export function describeException(exception: unknown): ExceptionDescription {
  if (exception instanceof Error) return { name: exception.name, message: exception.message };
  if (typeof exception === 'string') return { name: 'string', message: exception };
  const name =
    typeof exception === 'object' && exception !== null ? (exception.constructor?.name ?? 'Object') : typeof exception;
  return { name, message: describeValue(exception) };
}
