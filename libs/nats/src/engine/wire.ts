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
import { DuplicateMessageError, RemoteHandlerError } from '../errors.js';

/**
 * Header names. An agent-bound message carries few headers (each costs the client and the server
 * on every message): `ao` holds what every message has, `ao-rpc` what a call adds.
 */
export const H = {
  /** `<kind> <to> <type name> <message id> <from|-> <channel|->`, each value `headerValue`-encoded. */
  message: 'ao',
  /** `<reply subject> <caller process> <request id> <timeout, ms> <chain ids|->`: a duration, never a clock reading. */
  rpc: 'ao-rpc',
  /** The content type when it is not JSON. */
  contentType: 'ao-ct',
  /** A reply: `ok <type name>` or `error`. */
  reply: 'ao-r',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export interface MessageFields {
  readonly kind: 'rpc' | 'event';
  readonly to: string;
  readonly typeName: string;
  readonly messageId: string;
  readonly from: string | undefined;
  readonly channel: string | undefined;
}

export interface RpcFields {
  readonly replyTo: string;
  readonly caller: string;
  readonly requestId: string;
  /** The caller's timeout (`rpcTimeoutMs`): a duration, as the two processes' clocks may disagree. */
  readonly timeoutMs: number;
  readonly chain: string | undefined;
}

export function messageHeader(fields: MessageFields): string {
  const from = fields.from === undefined ? '-' : headerValue(fields.from);
  const channel = fields.channel === undefined ? '-' : headerValue(fields.channel);
  return `${fields.kind} ${headerValue(fields.to)} ${headerValue(fields.typeName)} ${headerValue(fields.messageId)} ${from} ${channel}`;
}

/** Throws a `TypeError` on a header that is not ours. */
export function parseMessageHeader(value: string | undefined): MessageFields {
  const parts = (value ?? '').split(' ');
  const kind = parts[0];
  const [to, typeName, messageId, from, channel] = parts.slice(1).map((part) => (part === '-' ? undefined : readHeaderValue(part)));
  if (parts.length !== 6 || (kind !== 'rpc' && kind !== 'event') || to === undefined || typeName === undefined || messageId === undefined) {
    throw new TypeError(`Not an AgentOpera message header: ${JSON.stringify((value ?? '').slice(0, 200))}`);
  }
  return { kind: kind as 'rpc' | 'event', to, typeName, messageId, from, channel };
}

export function rpcHeader(fields: RpcFields): string {
  return `${fields.replyTo} ${fields.caller} ${fields.requestId} ${fields.timeoutMs} ${fields.chain ?? '-'}`;
}

/** `undefined` for a message that is no call (nats.js reads a missing header as ''). */
export function parseRpcHeader(value: string | undefined): RpcFields | undefined {
  if (value === undefined || value === '') return undefined;
  const [replyTo = '', caller = '', requestId = '', timeoutMs = '', chain = '-'] = value.split(' ');
  return { replyTo, caller, requestId, timeoutMs: Number(timeoutMs), chain: chain === '-' ? undefined : chain };
}

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
  DuplicateMessageError,
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
