import { AgentType, MessageChannel, OutsideContextError } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { DefaultSubscription } from './default-subscription.js';
import { SubscriptionInstantiationContext } from './subscription-instantiation-context.js';
import { TypeSubscription } from './type-subscription.js';

describe('DefaultSubscription', () => {
  it('is a TypeSubscription on the "default" topic', () => {
    const subscription = new DefaultSubscription(undefined, 'agent');
    expect(subscription).toBeInstanceOf(TypeSubscription);
    expect(subscription.topicType).toBe('default');
    expect(subscription.mapToAgent(new MessageChannel('default', 'k')).toString()).toBe('agent/k');
  });

  it('takes another topic type and an explicit agent type', () => {
    const subscription = new DefaultSubscription('news', new AgentType('reader'));
    expect(subscription.topicType).toBe('news');
    expect(subscription.agentType).toBe('reader');
  });

  it('takes the agent type of the registration in progress, across awaits', async () => {
    const registered = new AgentType('registered');
    const subscriptions = await SubscriptionInstantiationContext.populateContext(registered, async () => {
      await Promise.resolve();
      return [new DefaultSubscription(), new DefaultSubscription('news')];
    });
    const mappings = subscriptions.map((s) => `${s.topicType}->${s.agentType}`);
    expect(mappings).toEqual(['default->registered', 'news->registered']);
  });

  it('prefers an explicit agent type to the registration in progress', () => {
    const subscription = SubscriptionInstantiationContext.populateContext(
      new AgentType('registered'),
      () => new DefaultSubscription('default', 'explicit'),
    );
    expect(subscription.agentType).toBe('explicit');
  });

  it('needs an agent type outside a registration, and says how to give one', () => {
    expect(() => new DefaultSubscription()).toThrow(OutsideContextError);
    expect(() => new DefaultSubscription()).toThrow(
      "DefaultSubscription needs an agent type: pass one, or create it inside BaseAgent.register's subscription factory",
    );
  });
});

describe('SubscriptionInstantiationContext', () => {
  it('gives the agent type inside populateContext and throws outside it', () => {
    const agentType = new AgentType('a');
    const seen = SubscriptionInstantiationContext.populateContext(agentType, () => SubscriptionInstantiationContext.agentType());
    expect(seen).toBe(agentType);
    expect(SubscriptionInstantiationContext.tryAgentType()).toBeUndefined();
    expect(() => SubscriptionInstantiationContext.agentType()).toThrow(OutsideContextError);
    expect(() => SubscriptionInstantiationContext.agentType()).toThrow(/outside a registration/);
  });

  it('keeps concurrent registrations apart', async () => {
    const seen = await Promise.all(
      ['a', 'b'].map((name) =>
        SubscriptionInstantiationContext.populateContext(new AgentType(name), async () => {
          await new Promise((resolve) => setTimeout(resolve, name === 'a' ? 5 : 0));
          return new DefaultSubscription().agentType;
        }),
      ),
    );
    expect(seen).toEqual(['a', 'b']);
  });
});
