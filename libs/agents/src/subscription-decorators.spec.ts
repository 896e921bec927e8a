import { describe, expect, it } from 'vitest';
import { AgentId, AgentType, DefaultMessageChannel, MessageChannel, type Subscription } from '@agentopera/types';
import { DefaultSubscription, TypePrefixSubscription, TypeSubscription } from '@agentopera/subscriptions';
import { BaseAgent } from './base-agent.js';
import {
  classSubscriptionFactories,
  defaultSubscription,
  subscriptionFactory,
  typeSubscription,
} from './subscription-decorators.js';
import { instantiateSubscriptions } from './subscription-factory.js';
import { FakeEngine } from './test-utils/fake-engine.js';

class Inbox extends BaseAgent {
  readonly received: unknown[] = [];

  protected async onMessageImpl(message: unknown): Promise<unknown> {
    this.received.push(message);
    return undefined;
  }
}

@defaultSubscription()
class DefaultInbox extends Inbox {}

@typeSubscription('alerts')
class AlertInbox extends DefaultInbox {}

@typeSubscription('metrics')
@typeSubscription('logs')
class MultiInbox extends Inbox {}

class UndecoratedChild extends AlertInbox {}

const subscriptionsOf = (cls: object, type: string): Promise<Subscription[]> =>
  instantiateSubscriptions(new AgentType(type), classSubscriptionFactories(cls));

const sameAs = (expected: Subscription) => (actual: Subscription) => actual.equals(expected);

describe('@defaultSubscription()', () => {
  it('subscribes the registering type to the "default" channel type', async () => {
    const subscriptions = await subscriptionsOf(DefaultInbox, 'inbox');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]).toBeInstanceOf(DefaultSubscription);
    expect(subscriptions[0]!.equals(new TypeSubscription('default', 'inbox'))).toBe(true);
  });

  it('delivers default-channel publications to the agent keyed by the source', async () => {
    const engine = new FakeEngine();
    await DefaultInbox.register(engine, 'inbox', () => new DefaultInbox('d'));
    await engine.publishMessage('hello', new DefaultMessageChannel('default', 'conv1'));
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('inbox', 'conv1'), DefaultInbox);
    expect(agent.received).toEqual(['hello']);
  });
});

describe('@typeSubscription(topic)', () => {
  it('subscribes the registering type to the topic type', async () => {
    const engine = new FakeEngine();
    await MultiInbox.register(engine, 'multi', () => new MultiInbox('m'));
    expect(engine.subscriptions.some(sameAs(new TypeSubscription('metrics', 'multi')))).toBe(true);
    expect(engine.subscriptions.some(sameAs(new TypeSubscription('logs', 'multi')))).toBe(true);
    expect(engine.subscriptions.some(sameAs(new TypePrefixSubscription('multi:', 'multi')))).toBe(true);
    await engine.publishMessage('cpu', new MessageChannel('metrics', 'host'));
    const agent = await engine.tryGetUnderlyingAgentInstance(new AgentId('multi', 'host'), MultiInbox);
    expect(agent.received).toEqual(['cpu']);
  });

  it('rejects an empty topic type naming it', () => {
    expect(() => typeSubscription('')).toThrow(/typeSubscription expects a non-empty topic type string, got ""/);
  });
});

describe('class subscriptions and inheritance', () => {
  it('gives a subclass its parent subscriptions plus its own, without changing the parent', async () => {
    expect(await subscriptionsOf(AlertInbox, 'a')).toHaveLength(2);
    expect((await subscriptionsOf(AlertInbox, 'a')).some(sameAs(new TypeSubscription('alerts', 'a')))).toBe(true);
    expect((await subscriptionsOf(AlertInbox, 'a')).some(sameAs(new TypeSubscription('default', 'a')))).toBe(true);
    expect(await subscriptionsOf(DefaultInbox, 'd')).toHaveLength(1);
    expect(await subscriptionsOf(Inbox, 'i')).toEqual([]);
  });

  it('gives an undecorated subclass its parent subscriptions', async () => {
    expect(await subscriptionsOf(UndecoratedChild, 'u')).toHaveLength(2);
  });

  it('runs custom factories inside the registration context, awaiting async ones', async () => {
    @subscriptionFactory(async () => [new TypePrefixSubscription('jobs.', 'worker')])
    @subscriptionFactory(() => [new DefaultSubscription('tasks')])
    class Worker extends Inbox {}
    const engine = new FakeEngine();
    await Worker.register(engine, 'worker', () => new Worker('w'));
    expect(engine.subscriptions.map(String)).toEqual([
      expect.stringContaining('topicType="tasks", agentType="worker"'),
      expect.stringContaining('"jobs."'),
      expect.stringContaining('"worker:"'),
    ]);
  });
});
