import {
  JSON_DATA_CONTENT_TYPE,
  JsonMessageSerializer,
  UnknownSerializerError,
  type SerializationRegistry,
} from '@agentopera/serialization';
import {
  AgentNotFoundError,
  CancelledError,
  CantHandleError,
  MessageDroppedError,
  describeValue,
} from '@agentopera/types';
import { RemoteHandlerError } from '../errors.js';

/** Header names of an agent-bound message and of its reply. */
export const H = {
  /** `rpc` or `event`. */
  kind: 'ao-kind',
  /** The recipient's id, `type/key` (its subject tokens may be hashed). */
  to: 'ao-to',
  from: 'ao-from',
  /** The channel of a published message, `type/source`. */
  channel: 'ao-channel',
  /** The message id handlers see as `ctx.messageId`. */
  messageId: 'ao-mid',
  typeName: 'ao-type',
  contentType: 'ao-ct',
  /** Where the reply goes (core NATS) and which request it answers. */
  replyTo: 'ao-reply',
  caller: 'ao-caller',
  requestId: 'ao-req',
  /** Epoch milliseconds after which the caller no longer waits. */
  deadline: 'ao-deadline',
  /** Ids of the running turns this call was made from (call-chain reentrancy across processes). */
  chain: 'ao-chain',
  /** `ok` or `error` in a reply. */
  status: 'ao-status',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/**
 * Ids, keys and sources may hold any character, a line break or a lone surrogate included, which a
 * header cannot: they travel as `u` + percent-encoding, or `w` + base64url of the UTF-16 code
 * units when the string is not well-formed (percent-encoding cannot carry a lone surrogate).
 */
export function headerValue(value: string): string {
  try {
    return `u${encodeURIComponent(value)}`;
  } catch {
    return `w${Buffer.from(value, 'utf16le').toString('base64url')}`;
  }
}

/** Reads a value written by `headerValue`; `undefined` for a missing or malformed one. */
export function readHeaderValue(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0) return undefined;
  const body = value.slice(1);
  try {
    if (value[0] === 'u') return decodeURIComponent(body);
    if (value[0] === 'w') return Buffer.from(body, 'base64url').toString('utf16le');
  } catch {
    return undefined;
  }
  return undefined;
}

/** The type name of a reply value no serializer is registered for (plain JSON). */
export const PLAIN_JSON = 'agentopera.json';
/** The type name of an `undefined` reply (a handler that returns nothing). */
export const UNDEFINED = 'agentopera.undefined';

const plainJson = new JsonMessageSerializer(PLAIN_JSON);

export interface EncodedValue {
  readonly typeName: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

/**
 * Serializes a message for another process: only through a registered serializer, so a type with
 * none fails here, at the sender, naming it.
 */
export function encodeMessage(registry: SerializationRegistry, message: unknown): EncodedValue {
  const typeName = registry.typeName(message);
  if (!registry.isRegistered(typeName, JSON_DATA_CONTENT_TYPE)) {
    throw new UnknownSerializerError(typeName, JSON_DATA_CONTENT_TYPE);
  }
  return { typeName, contentType: JSON_DATA_CONTENT_TYPE, data: registry.serialize(message, { typeName, dataContentType: JSON_DATA_CONTENT_TYPE }) };
}

/** Serializes a handler's result: its registered serializer if it has one, else plain JSON. */
export function encodeResult(registry: SerializationRegistry, value: unknown): EncodedValue {
  if (value === undefined) return { typeName: UNDEFINED, contentType: JSON_DATA_CONTENT_TYPE, data: new Uint8Array() };
  const typeName = registry.typeName(value);
  if (registry.isRegistered(typeName, JSON_DATA_CONTENT_TYPE)) {
    return { typeName, contentType: JSON_DATA_CONTENT_TYPE, data: registry.serialize(value, { typeName, dataContentType: JSON_DATA_CONTENT_TYPE }) };
  }
  return { typeName: PLAIN_JSON, contentType: JSON_DATA_CONTENT_TYPE, data: plainJson.serialize(value) };
}

export function decodeValue(registry: SerializationRegistry, typeName: string, contentType: string, data: Uint8Array): unknown {
  if (typeName === UNDEFINED) return undefined;
  if (typeName === PLAIN_JSON) return plainJson.deserialize(data);
  return registry.deserialize(data, { typeName, dataContentType: contentType });
}

interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** What a failed handler sends back: name, message and stack. */
export function encodeError(error: unknown): Uint8Array {
  const record: ErrorRecord =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : { name: 'NonError', message: describeValue(error) };
  return ENCODER.encode(JSON.stringify(record));
}

// These cross processes as themselves (SPEC §12); any other error becomes a RemoteHandlerError.
const PORTABLE: Record<string, new (message: string) => Error> = {
  AgentNotFoundError,
  CantHandleError,
  CancelledError,
  MessageDroppedError,
};

/** The error a caller rejects with for an error reply. */
export function decodeError(data: Uint8Array): Error {
  let record: Partial<ErrorRecord>;
  try {
    record = JSON.parse(DECODER.decode(data)) as Partial<ErrorRecord>;
  } catch {
    return new RemoteHandlerError('Error', 'the remote handler failed and its error could not be read', undefined);
  }
  const name = typeof record.name === 'string' ? record.name : 'Error';
  const message = typeof record.message === 'string' ? record.message : '';
  const stack = typeof record.stack === 'string' ? record.stack : undefined;
  const Portable = Object.hasOwn(PORTABLE, name) ? PORTABLE[name] : undefined;
  if (Portable !== undefined) {
    const error = new Portable(message);
    if (stack !== undefined) error.stack = stack;
    return error;
  }
  return new RemoteHandlerError(name, message, stack);
}
