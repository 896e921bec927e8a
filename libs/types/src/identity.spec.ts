import { describe, expect, it } from 'vitest';
import { AgentId } from './agent-id.js';
import { AgentType } from './agent-type.js';
import { DefaultMessageChannel } from './default-message-channel.js';
import { MessageChannel } from './message-channel.js';
import { MessageHandlerContext } from './message-handler-context.js';

describe('AgentId', () => {
  it('formats as type/key and parses back, keeping slashes in the key', () => {
    const id = new AgentId('writer.v2', 'session/42');
    expect(id.toString()).toBe('writer.v2/session/42');
    expect(AgentId.fromStr('writer.v2/session/42').equals(id)).toBe(true);
  });

  it('accepts an AgentType as type', () => {
    expect(new AgentId(new AgentType('a-b_c'), 'k').type).toBe('a-b_c');
  });

  it.each(['', 'has space', 'a/b', 'colon:type', 'ü'])('rejects the type %j with a TypeError naming it', (bad) => {
    expect(() => new AgentId(bad, 'k')).toThrow(TypeError);
    expect(() => new AgentId(bad, 'k')).toThrow(JSON.stringify(bad));
  });

  it('rejects a non-string key', () => {
    expect(() => new AgentId('t', 42 as unknown as string)).toThrow(/Invalid agent key 42/);
  });

  it.each(['no-slash', ''])('fromStr rejects %j', (bad) => {
    expect(() => AgentId.fromStr(bad)).toThrow(/expected "type\/key"/);
  });

  it('compares both parts in equals', () => {
    const id = new AgentId('t', 'k');
    expect(id.equals(new AgentId('t', 'k'))).toBe(true);
    expect(id.equals(new AgentId('t', 'other'))).toBe(false);
    expect(id.equals(new AgentId('u', 'k'))).toBe(false);
    expect(id.equals('t/k')).toBe(false);
  });
});

describe('AgentType', () => {
  it('validates like AgentId', () => {
    expect(new AgentType('ok').toString()).toBe('ok');
    expect(() => new AgentType('not ok')).toThrow(TypeError);
  });
});

describe('MessageChannel', () => {
  it('allows ":" and "=" in the type and round-trips through fromStr', () => {
    const channel = new MessageChannel('agent:reply=1', 'src/with/slashes');
    expect(MessageChannel.fromStr(channel.toString()).equals(channel)).toBe(true);
  });

  it.each(['', 'a b', 'a/b'])('rejects the type %j with a TypeError naming it', (bad) => {
    expect(() => new MessageChannel(bad, 's')).toThrow(TypeError);
    expect(() => new MessageChannel(bad, 's')).toThrow(JSON.stringify(bad));
  });

  it('fromStr rejects strings without a slash', () => {
    expect(() => MessageChannel.fromStr('nope')).toThrow(/expected "type\/source"/);
  });
});

describe('DefaultMessageChannel', () => {
  it('defaults to type "default" and source "default" outside a handler', () => {
    const channel = new DefaultMessageChannel();
    expect([channel.type, channel.source]).toEqual(['default', 'default']);
    expect(channel).toBeInstanceOf(MessageChannel);
  });

  it('takes the handling agent key as source inside a handler', async () => {
    const channel = await MessageHandlerContext.populateContext(new AgentId('w', 'session-7'), async () => {
      await Promise.resolve();
      return new DefaultMessageChannel('results');
    });
    expect(channel.toString()).toBe('results/session-7');
  });

  it('keeps an explicit source', () => {
    const channel = MessageHandlerContext.populateContext(new AgentId('w', 'k'), () => new DefaultMessageChannel('t', 's'));
    expect(channel.source).toBe('s');
  });
});
