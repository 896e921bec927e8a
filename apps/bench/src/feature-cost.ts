// What the context features paid only when used cost: scenario 1 with a handler that reads one of
// them on every message. `node apps/bench/dist/feature-cost.js [none|messageId|token|signal]...`
import { AgentId, BaseAgent, LocalAgentEngine, type MessageContext } from '@agentopera/core';
import { opsPerSecond } from './timing.js';

type Feature = 'none' | 'messageId' | 'token' | 'signal';

class ReadingAgent extends BaseAgent {
  constructor(private readonly feature: Feature) {
    super('reads a context feature');
  }

  protected async onMessageImpl(message: unknown, ctx: MessageContext): Promise<unknown> {
    if (this.feature === 'messageId') return [message, ctx.messageId][0];
    if (this.feature === 'token') return [message, ctx.cancellationToken][0];
    if (this.feature === 'signal') return [message, ctx.cancellationToken.signal][0];
    return message;
  }
}

async function measure(feature: Feature): Promise<number> {
  const engine = new LocalAgentEngine();
  await ReadingAgent.register(engine, 'reader', () => new ReadingAgent(feature));
  engine.start();
  const id = new AgentId('reader', 'default');
  const rate = await opsPerSecond(
    async () => {
      for (let i = 0; i < 1000; i++) await engine.sendMessage(i, id);
      return 1000;
    },
    1,
    0.5,
  );
  await engine.stop();
  return rate;
}

const features = process.argv.slice(2) as Feature[];
for (const feature of features.length > 0 ? features : (['none', 'messageId', 'token', 'signal'] as const)) {
  console.log(`${feature.padEnd(10)} ${(await measure(feature) / 1e6).toFixed(2)} M round trips/s`);
}
