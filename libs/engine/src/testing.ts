// A separate entry (`@agentopera/engine/testing`) because it imports vitest, which must not become a
// runtime dependency of the engine itself.
export {
  describeAgentEngineConformance,
  type ConformanceEngine,
  type ConformanceEngineOptions,
  type MakeAgentEngine,
} from './engine-conformance.js';
export { KitAgent, KitAnswer, KitCommand, KitNews, KitWorld } from './conformance-agents.js';
