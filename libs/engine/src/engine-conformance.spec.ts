import { describeAgentEngineConformance } from './engine-conformance.js';
import { LocalAgentEngine } from './local-agent-engine.js';

describeAgentEngineConformance('LocalAgentEngine', (options) => new LocalAgentEngine(options));
