import { describeValue } from './errors.js';

const CHANNEL_TYPE_PATTERN = /^[\w\-.:=]+$/;

/**
 * Where a message is published: a `type` that subscriptions match on and a `source` that usually
 * becomes the key of the receiving agent (autogen calls this a TopicId).
 */
export class MessageChannel {
  readonly type: string;
  readonly source: string;

  constructor(type: string, source: string) {
    if (typeof type !== 'string' || !CHANNEL_TYPE_PATTERN.test(type)) {
      throw new TypeError(
        `Invalid message channel type ${describeValue(type)}: it must be a non-empty string of letters, digits, '_', '-', '.', ':' or '='`,
      );
    }
    if (typeof source !== 'string') {
      throw new TypeError(`Invalid message channel source ${describeValue(source)} for type "${type}": it must be a string`);
    }
    this.type = type;
    this.source = source;
  }

  /** Parses `"type/source"` (the source may itself contain `/`). */
  static fromStr(value: string): MessageChannel {
    const slash = typeof value === 'string' ? value.indexOf('/') : -1;
    if (slash < 0) {
      throw new TypeError(`Invalid message channel ${describeValue(value)}: expected "type/source"`);
    }
    return new MessageChannel(value.slice(0, slash), value.slice(slash + 1));
  }

  equals(other: unknown): boolean {
    return other instanceof MessageChannel && other.type === this.type && other.source === this.source;
  }

  toString(): string {
    return `${this.type}/${this.source}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
