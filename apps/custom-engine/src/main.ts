import { LocalAgentEngine } from '@agentopera/engine';
import { runChattyDemo } from './chatty-demo.js';
import { createCustomEngine } from './create-custom-engine.js';

const CHATTY_MESSAGES = 1000;

const plain = await runChattyDemo(new LocalAgentEngine(), CHATTY_MESSAGES);
console.log(`FIFO queue (default): the quiet agent's message was handled #${plain.quietPosition} of ${plain.handled}`);

const { engine, spans, tracerProvider } = createCustomEngine();
const fair = await runChattyDemo(engine, CHATTY_MESSAGES);
console.log(`FairQueue (per sender): the quiet agent's message was handled #${fair.quietPosition} of ${fair.handled}`);
await tracerProvider.shutdown();
const byName = [...spans.countsByName()].map(([name, count]) => `${name}: ${count}`).join(', ');
console.log(`spans counted by the app's own exporter: ${spans.total()} (${byName})`);
