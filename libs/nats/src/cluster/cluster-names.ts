import { createHash } from 'node:crypto';
import { describeValue } from '@agentopera/types';
import { encodeToken } from '../subject-codec.js';

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A consumer name becomes a file name on the server: keep it short whatever the type. */
const MAX_TYPE_IN_NAME = 64;

/**
 * Every subject, stream, consumer and bucket one cluster uses, derived from its name, so that
 * several clusters share a NATS account without seeing each other and a deployment can grant
 * exactly `ao.<cluster>.>` plus the names below.
 */
export class ClusterNames {
  readonly cluster: string;
  /** Subject prefix: `ao.<cluster>`. */
  readonly prefix: string;
  /** WorkQueue stream of agent-bound messages: `<prefix>.in.<type>.<partition>.<key>`. */
  readonly inboxStream: string;
  /** Limits stream that keeps dead letters: `<prefix>.dlq.<type>`. */
  readonly deadLetterStream: string;
  readonly membersBucket: string;
  readonly leasesBucket: string;
  readonly typesBucket: string;
  readonly subscriptionsBucket: string;
  readonly stateBucket: string;

  constructor(cluster: string) {
    if (typeof cluster !== 'string' || !CLUSTER_NAME.test(cluster)) {
      throw new TypeError(`Invalid cluster name ${describeValue(cluster)}: use 1-64 letters, digits, '_' or '-'`);
    }
    this.cluster = cluster;
    this.prefix = `ao.${cluster}`;
    this.inboxStream = `AO_${cluster}_IN`;
    this.deadLetterStream = `AO_${cluster}_DLQ`;
    this.membersBucket = `ao_${cluster}_members`;
    this.leasesBucket = `ao_${cluster}_leases`;
    this.typesBucket = `ao_${cluster}_types`;
    this.subscriptionsBucket = `ao_${cluster}_subs`;
    this.stateBucket = `ao_${cluster}_state`;
  }

  inboxSubject(type: string, partition: number, key: string): string {
    return `${this.prefix}.in.${encodeToken(type)}.${partition}.${encodeToken(key)}`;
  }

  /** The filter of the consumer of one (type, partition): the unit of ownership. */
  inboxFilter(type: string, partition: number): string {
    return `${this.prefix}.in.${encodeToken(type)}.${partition}.>`;
  }

  inboxConsumer(type: string, partition: number): string {
    return `in_${shortToken(type)}_${partition}`;
  }

  /** The lease key of one (type, partition) in the leases bucket. */
  slotKey(type: string, partition: number): string {
    return `${encodeToken(type)}.${partition}`;
  }

  /** Where a poison message of `type` is copied before it is acknowledged (removed from its work queue). */
  deadLetterSubject(type: string): string {
    return `${this.prefix}.dlq.${encodeToken(type)}`;
  }

  /** Per-process core subject of RPC replies; the last token is the request id. */
  replySubject(processId: string, requestId: string): string {
    return `${this.prefix}.reply.${processId}.${requestId}`;
  }

  replyWildcard(processId: string): string {
    return `${this.prefix}.reply.${processId}.>`;
  }

  /** Per-process core subject of PubAcks, matched to publishes by hand. */
  pubAckSubject(processId: string, sequence: string): string {
    return `${this.prefix}.ack.${processId}.${sequence}`;
  }

  pubAckWildcard(processId: string): string {
    return `${this.prefix}.ack.${processId}.>`;
  }

  /** Core subject on which a caller broadcasts the cancellation of an RPC. */
  get cancelSubject(): string {
    return `${this.prefix}.cancel`;
  }
}

function shortToken(type: string): string {
  const token = encodeToken(type);
  if (token.length <= MAX_TYPE_IN_NAME) return token;
  return `h${createHash('sha256').update(type).digest('base64url').slice(0, 22)}`;
}
