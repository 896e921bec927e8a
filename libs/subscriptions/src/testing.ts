// Test helpers: they import vitest, so they live behind "@agentopera/subscriptions/testing".
export { describeSubscriptionManagerConformance } from './subscription-manager-conformance.js';
