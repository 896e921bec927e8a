// A separate entry (`@agentopera/state/testing`) because it imports vitest, which must not become a
// runtime dependency of the stores themselves.
export { describeStateStoreConformance, type MakeStateStore, type StateStoreConformanceOptions } from './state-store-conformance.js';
export { hostileAgentIds } from './hostile-agent-ids.js';
