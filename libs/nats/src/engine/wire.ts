import {
  ClassJsonMessageSerializer,
  DeserializationError,
  JSON_DATA_CONTENT_TYPE,
  JsonMessageSerializer,
  SerializationError,
  UnknownPayload,
  UnknownSerializerError,
  instanceToJson,
  type SerializationRegistry,
} from '@agentopera/serialization';
import {
  AgentNotFoundError,
  CancelledError,
  CantHandleError,
  MessageDroppedError,
  describeValue,
  type ResponseClassOf,
} from '@agentopera/types';
import { DeliveryTimeoutError, DuplicateMessageError, RemoteHandlerError } from '../errors.js';

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

/**
 * Serializers of plain JSON values by their type name (`registry.typeName`): every process decodes
 * these without a registered serializer, and their failures name the value's own type.
 */
const PLAIN_TYPES: ReadonlyMap<string, JsonMessageSerializer> = new Map(
  ['Object', 'Array', 'String', 'Number', 'Boolean', 'null'].map((name) => [name, new JsonMessageSerializer(name)]),
);

export interface EncodedValue {
  readonly typeName: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

/**
 * The content type a value of `typeName` travels in: JSON when a JSON serializer is registered,
 * else the first content type one is registered for (e.g. protobuf alone); `undefined` for none.
 */
function wireContentType(registry: SerializationRegistry, typeName: string): string | undefined {
  // The common case first: no list to build.
  if (registry.isRegistered(typeName, JSON_DATA_CONTENT_TYPE)) return JSON_DATA_CONTENT_TYPE;
  return registry.contentTypes(typeName)[0];
}

/**
 * Serializes a message for another process: through its registered serializer, of whichever
 * content type; a class with none here travels as JSON of its fields under its class name, for the
 * receiving side (which registered the class it handles) to rebuild. A value with no JSON form
 * fails here, at the sender, naming its type.
 */
export function encodeMessage(registry: SerializationRegistry, message: unknown): EncodedValue {
  const typeName = registry.typeName(message);
  const contentType = wireContentType(registry, typeName);
  if (contentType !== undefined) return { typeName, contentType, data: registry.serialize(message, { typeName, dataContentType: contentType }) };
  const plain = PLAIN_TYPES.get(typeName);
  return { typeName, contentType: JSON_DATA_CONTENT_TYPE, data: plain !== undefined ? plain.serialize(message) : instanceToJson(message, typeName) };
}

/**
 * Serializes a handler's result: through its registered serializer if it has one; plain JSON values
 * as such; an instance of a class with no serializer here as JSON of its fields under its class
 * name, so a caller that knows the class rebuilds the instance.
 */
export function encodeResult(registry: SerializationRegistry, value: unknown): EncodedValue {
  if (value === undefined) return { typeName: UNDEFINED, contentType: JSON_DATA_CONTENT_TYPE, data: new Uint8Array() };
  const typeName = registry.typeName(value);
  const contentType = wireContentType(registry, typeName);
  if (contentType !== undefined) return { typeName, contentType, data: registry.serialize(value, { typeName, dataContentType: contentType }) };
  const plain = PLAIN_TYPES.get(typeName);
  if (plain !== undefined) return { typeName: PLAIN_JSON, contentType: JSON_DATA_CONTENT_TYPE, data: plain.serialize(value) };
  return { typeName, contentType: JSON_DATA_CONTENT_TYPE, data: instanceToJson(value, typeName) };
}

/**
 * Decodes a message on its recipient's host: through the registered serializer; a plain JSON value
 * needs none. Throws `UnknownSerializerError` (listing the content types registered for the type)
 * or `DeserializationError`.
 */
export function decodeValue(registry: SerializationRegistry, typeName: string, contentType: string, data: Uint8Array): unknown {
  if (typeName === UNDEFINED) return undefined;
  if (typeName === PLAIN_JSON) return plainJson.deserialize(data);
  const plain = contentType === JSON_DATA_CONTENT_TYPE ? PLAIN_TYPES.get(typeName) : undefined;
  if (plain !== undefined && !registry.isRegistered(typeName, contentType)) return plain.deserialize(data);
  return registry.deserialize(data, { typeName, dataContentType: contentType });
}

/**
 * Decodes an RPC's result on the caller: an instance of its class when this side knows the class
 * (a serializer registered here, or the response class the request's class declares), else the
 * plain JSON value; a payload of another content type that nothing here reads stays an
 * `UnknownPayload`.
 */
export function decodeResult(
  registry: SerializationRegistry,
  typeName: string,
  contentType: string,
  data: Uint8Array,
  declared: ResponseClassOf | undefined,
): unknown {
  if (typeName === UNDEFINED || typeName === PLAIN_JSON || registry.isRegistered(typeName, contentType)) {
    return decodeValue(registry, typeName, contentType, data);
  }
  if (contentType !== JSON_DATA_CONTENT_TYPE) return new UnknownPayload(typeName, contentType, data);
  if (declared?.name === typeName) return new ClassJsonMessageSerializer(declared).deserialize(data);
  return plainJson.deserialize(data);
}

interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A serialization error's type name, content type and registered content types. */
  readonly typeName?: string;
  readonly dataContentType?: string;
  readonly registeredContentTypes?: readonly string[];
}

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** What a failed handler sends back: name, message and stack (and a serialization error's fields). */
export function encodeError(error: unknown): Uint8Array {
  let record: ErrorRecord =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : { name: 'NonError', message: describeValue(error) };
  if (error instanceof UnknownSerializerError) {
    record = { ...record, typeName: error.typeName, dataContentType: error.dataContentType, registeredContentTypes: error.registeredContentTypes };
  } else if (error instanceof SerializationError || error instanceof DeserializationError) {
    record = { ...record, typeName: error.typeName };
  }
  return ENCODER.encode(JSON.stringify(record));
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

// These cross processes as themselves (the host's failures before the handler runs
// included); any other error becomes a RemoteHandlerError.
const PORTABLE: Record<string, (record: Partial<ErrorRecord>) => Error> = {
  AgentNotFoundError: (r) => new AgentNotFoundError(text(r.message)),
  CantHandleError: (r) => new CantHandleError(text(r.message)),
  CancelledError: (r) => new CancelledError(text(r.message)),
  DeliveryTimeoutError: (r) => new DeliveryTimeoutError(text(r.message)),
  DuplicateMessageError: (r) => new DuplicateMessageError(text(r.message)),
  MessageDroppedError: (r) => new MessageDroppedError(text(r.message)),
  UnknownSerializerError: (r) => new UnknownSerializerError(text(r.typeName), text(r.dataContentType), strings(r.registeredContentTypes)),
  SerializationError: (r) => new SerializationError(text(r.typeName), ''),
  DeserializationError: (r) => new DeserializationError(text(r.typeName), ''),
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
  const message = text(record.message);
  const stack = typeof record.stack === 'string' ? record.stack : undefined;
  const portable = Object.hasOwn(PORTABLE, name) ? PORTABLE[name] : undefined;
  if (portable !== undefined) {
    const error = portable(record);
    error.message = message;
    if (stack !== undefined) error.stack = stack;
    return error;
  }
  return new RemoteHandlerError(name, message, stack);
}
