import { LocalAgentEngine } from '@agentopera/engine';
import { AgentId } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { runChattyDemo } from './chatty-demo.js';
import { createCustomEngine } from './create-custom-engine.js';
import { FairQueue } from './fair-queue.js';
import { RecordingAgent } from './recording-agent.js';

describe('an engine assembled with FairQueue and a span-counting tracer', () => {
  it('does not let a chatty sender starve a quiet one', async () => {
    const { engine } = createCustomEngine();
    const result = await runChattyDemo(engine, 500);
    expect(result.handled).toBe(501);
    // Dequeued second; handlers run as concurrent tasks (the first one also builds the agent), so
    // the start order may shift by a place or two, but never by hundreds as with FIFO.
    expect(result.quietPosition).toBeLessThanOrEqual(5);
  });

  it('differs from the default FIFO queue, which serves the quiet sender last', async () => {
    const result = await runChattyDemo(new LocalAgentEngine(), 500);
    expect(result.quietPosition).toBe(501);
  });

  it('reports spans to the tracer provider it was given', async () => {
    const { engine, spans } = createCustomEngine();
    await runChattyDemo(engine, 3);
    expect(spans.total()).toBeGreaterThanOrEqual(4);
  });

  it('takes a fresh FairQueue on each start, so it can be restarted', async () => {
    const { engine } = createCustomEngine();
    const log: string[] = [];
    const worker = new AgentId('worker', 'default');
    await engine.registerAgentInstance(new RecordingAgent(worker, log), worker);
    for (let run = 0; run < 2; run++) {
      engine.start();
      expect(await engine.sendMessage(`run ${run}`, worker)).toBe(`run ${run}`);
      await engine.stop();
    }
    expect(log).toEqual(['(external)', '(external)']);
  });

  it('accepts a FairQueue instance wherever a MessageQueue is expected', () => {
    const engine = new LocalAgentEngine({ queue: () => new FairQueue(() => 'one lane') });
    expect(engine.unprocessedMessagesCount).toBe(0);
  });
});
