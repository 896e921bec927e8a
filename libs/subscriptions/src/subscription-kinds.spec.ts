import { AgentId, AgentType, CantHandleError, MessageChannel } from '@agentopera/types';
import type { Subscription } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { DefaultSubscription } from './default-subscription.js';
import { SubscriptionMismatchError } from './errors.js';
import { TypePrefixSubscription } from './type-prefix-subscription.js';
import { TypeSubscription } from './type-subscription.js';

const kinds = [
  {
    kind: TypeSubscription,
    hint: 'topicType',
    otherHint: 'topicTypePrefix',
    matches: ['news'],
    misses: ['newsletter', 'new'],
  },
  {
    kind: TypePrefixSubscription,
    hint: 'topicTypePrefix',
    otherHint: 'topicType',
    matches: ['news', 'newsletter', 'news:x'],
    misses: ['new', 'x-news'],
  },
] as const;

describe.each(kinds)('$kind.name matching', ({ kind, hint, otherHint, matches, misses }) => {
  const subscription: Subscription = new kind('news', 'reader');

  it.each(matches)('matches channel type %s', (type) => {
    expect(subscription.isMatch(new MessageChannel(type, 's'))).toBe(true);
  });

  it.each(misses)('does not match channel type %s', (type) => {
    expect(subscription.isMatch(new MessageChannel(type, 's'))).toBe(false);
  });

  it(`exposes its topic as the ${hint} index hint, and no ${otherHint}`, () => {
    expect(subscription[hint]).toBe('news');
    expect(subscription[otherHint]).toBeUndefined();
  });
});

describe.each(kinds)('$kind.name', ({ kind, hint }) => {
  it('maps a channel to the agent keyed by the channel source', () => {
    const subscription = new kind('t', 'agent');
    const id = subscription.mapToAgent(new MessageChannel('t', 'session/42'));
    expect(id).toBeInstanceOf(AgentId);
    expect(id.toString()).toBe('agent/session/42');
  });

  it('refuses to map a channel it does not match, with a CantHandleError', () => {
    const subscription = new kind('t', 'agent');
    expect(() => subscription.mapToAgent(new MessageChannel('u', 's'))).toThrow(SubscriptionMismatchError);
    expect(() => subscription.mapToAgent(new MessageChannel('u', 's'))).toThrow(CantHandleError);
    expect(() => subscription.mapToAgent(new MessageChannel('u', 's'))).toThrow(/"u\/s"/);
  });

  it('takes the agent type as a string or an AgentType', () => {
    expect(new kind('t', new AgentType('agent')).agentType).toBe('agent');
    expect(new kind('t', 'agent').agentType).toBe('agent');
  });

  it('gets a fresh UUID unless given an id', () => {
    const a = new kind('t', 'agent');
    const b = new kind('t', 'agent');
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(new kind('t', 'agent', 'mine').id).toBe('mine');
  });

  it('rejects an invalid topic, agent type or id with a TypeError naming it', () => {
    expect(() => new kind('a/b', 'agent')).toThrow(TypeError);
    expect(() => new kind('a/b', 'agent')).toThrow(/"a\/b"/);
    expect(() => new kind('', 'agent')).toThrow(/""/);
    expect(() => new kind('t', 'bad type')).toThrow(/"bad type"/);
    expect(() => new kind('t', 'a:b')).toThrow(/"a:b"/);
    expect(() => new kind('t', 42 as unknown as string)).toThrow(/42/);
    expect(() => new kind('t', 'agent', '')).toThrow(/Invalid subscription id ""/);
    const topicName = hint === 'topicType' ? 'topic type' : 'topic type prefix';
    expect(() => new kind(7 as unknown as string, 'agent')).toThrow(new RegExp(`Invalid ${topicName} 7:`));
  });

  it('is equal to a subscription with the same id, whatever it maps', () => {
    const subscription = new kind('t', 'agent', 'id-1');
    expect(subscription.equals(new TypeSubscription('other', 'other', 'id-1'))).toBe(true);
    expect(subscription.equals(new TypePrefixSubscription('other', 'other', 'id-1'))).toBe(true);
  });

  it('is equal to one of the same kind, topic and agent type, and to no other', () => {
    const subscription = new kind('t', 'agent');
    expect(subscription.equals(new kind('t', 'agent'))).toBe(true);
    expect(subscription.equals(new kind('t', new AgentType('agent')))).toBe(true);
    expect(subscription.equals(new kind('t', 'other'))).toBe(false);
    expect(subscription.equals(new kind('u', 'agent'))).toBe(false);
    const otherKind = kind === TypeSubscription ? TypePrefixSubscription : TypeSubscription;
    expect(subscription.equals(new otherKind('t', 'agent'))).toBe(false);
  });

  it('describes itself with its fields', () => {
    expect(String(new kind('t', 'agent', 'id-1'))).toBe(`${kind.name}(${hint}="t", agentType="agent", id="id-1")`);
  });
});

describe('subscription equality with other implementations', () => {
  it('compares only ids with a subscription it does not know', () => {
    const subscription = new TypeSubscription('t', 'agent', 'id-1');
    const foreign: Subscription = {
      id: 'id-2',
      topicType: 't',
      isMatch: () => true,
      mapToAgent: (channel) => new AgentId('agent', channel.source),
      equals: () => true,
    };
    expect(subscription.equals(foreign)).toBe(false);
    expect(subscription.equals({ ...foreign, id: 'id-1' })).toBe(true);
  });

  it('treats a DefaultSubscription as the TypeSubscription it is', () => {
    expect(new DefaultSubscription('t', 'agent').equals(new TypeSubscription('t', 'agent'))).toBe(true);
    expect(new TypeSubscription('t', 'agent').equals(new DefaultSubscription('t', 'agent'))).toBe(true);
  });
});
