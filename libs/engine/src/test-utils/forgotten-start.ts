// A script that forgets engine.start(): it sends, awaits the reply, and the process ends with the
// message still queued. Run by unstarted-engine-warning.spec.ts as a child process.
import { AgentId } from '@agentopera/types';
import { LocalAgentEngine } from '../local-agent-engine.js';
import { TestAgent } from './test-agent.js';

const engine = new LocalAgentEngine();
await engine.registerAgentBuilder('echo', () => new TestAgent());
const started = process.argv.includes('--start');
if (started) engine.start();
console.log(await engine.sendMessage('hello', new AgentId('echo', 'k')));
if (started) await engine.stop();
