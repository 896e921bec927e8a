import { describe, expect, it } from 'vitest';
import * as publicApi from './index.js';
import { DefaultSubscriptionManager, SubscriptionManager } from './index.js';
import { describeSubscriptionManagerConformance } from './testing.js';

describe('public API', () => {
  it('offers SubscriptionManager as both the contract type and the default implementation', () => {
    // Compiles only if `SubscriptionManager` is a type that the value `SubscriptionManager` builds.
    const manager: SubscriptionManager = new SubscriptionManager();
    expect(manager).toBeInstanceOf(DefaultSubscriptionManager);
  });

  it('exports no test helpers from the main entry point', () => {
    expect(Object.keys(publicApi)).not.toContain('describeSubscriptionManagerConformance');
    expect(typeof describeSubscriptionManagerConformance).toBe('function');
  });
});
