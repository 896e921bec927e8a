import { describeValue, type AgentClass } from '@agentopera/types';
import { DefaultSubscription, SubscriptionInstantiationContext, TypeSubscription } from '@agentopera/subscriptions';
import type { BaseAgent } from './base-agent.js';
import type { SubscriptionFactory } from './subscription-factory.js';

/**
 * A class decorator for agent classes, typed for both decorator flavours: TypeScript's
 * `experimentalDecorators` (class) and standard decorators (class, context). As a plain function,
 * `defaultSubscription()(MyAgent)` does the same without decorators.
 */
export type AgentClassDecorator = <C extends AgentClass<BaseAgent>>(target: C, context?: ClassDecoratorContext<C>) => void;

// Each decorated class gets its own array (parent's entries first), so decorating a subclass never
// changes what its parent registers. Undecorated subclasses find their parent's list by lookup.
const ownFactories = new WeakMap<object, readonly SubscriptionFactory[]>();
const NO_FACTORIES: readonly SubscriptionFactory[] = Object.freeze([]);

/** The subscription factories that apply to `cls`: its own decorators' and every ancestor's. */
export function classSubscriptionFactories(cls: object): readonly SubscriptionFactory[] {
  for (let current: object | null = cls; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    const factories = ownFactories.get(current);
    if (factories !== undefined) return factories;
  }
  return NO_FACTORIES;
}

/**
 * Adds subscriptions that `BaseAgent.register` creates for the decorated class. `factory` runs
 * inside `SubscriptionInstantiationContext`, so it can read the type being registered.
 */
export function subscriptionFactory(factory: SubscriptionFactory): AgentClassDecorator {
  if (typeof factory !== 'function') {
    throw new TypeError(`subscriptionFactory expects a function returning subscriptions, got ${typeof factory}`);
  }
  return (target: unknown, context?: unknown) => {
    const kind = (context as { kind?: unknown } | undefined)?.kind;
    if (typeof target !== 'function' || (kind !== undefined && kind !== 'class')) {
      throw new TypeError(
        `subscription decorators such as @defaultSubscription() decorate agent classes, got ${kind === undefined ? describeValue(target) : `a ${String(kind)}`}`,
      );
    }
    ownFactories.set(target, [...classSubscriptionFactories(target), factory]);
  };
}

/** Subscribes the agent type to the `"default"` channel type (source becomes the agent key). */
export function defaultSubscription(): AgentClassDecorator {
  return subscriptionFactory(() => [new DefaultSubscription()]);
}

/** Subscribes the agent type to channels of type `topicType` (source becomes the agent key). */
export function typeSubscription(topicType: string): AgentClassDecorator {
  if (typeof topicType !== 'string' || topicType === '') {
    throw new TypeError(`typeSubscription expects a non-empty topic type string, got ${describeValue(topicType)}`);
  }
  return subscriptionFactory(() => [new TypeSubscription(topicType, SubscriptionInstantiationContext.agentType())]);
}
