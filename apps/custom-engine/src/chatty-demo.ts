import type { LocalAgentEngine } from '@agentopera/engine';
import { AgentId, AgentInstantiationContext } from '@agentopera/types';
import { RecordingAgent } from './recording-agent.js';

/** What `runChattyDemo` saw. */
export interface ChattyDemoResult {
  /** 1-based position, among all handled messages, of the quiet sender's one message. */
  quietPosition: number;
  /** Messages handled in total (chatty ones plus the quiet one). */
  handled: number;
}

/**
 * A chatty agent sends `chattyMessages` RPCs to a worker, then a quiet agent sends one. All are
 * queued before the engine starts, so the queue alone decides who is served first: a FIFO queue
 * serves the quiet agent last, a per-sender fair queue second.
 */
export async function runChattyDemo(engine: LocalAgentEngine, chattyMessages: number): Promise<ChattyDemoResult> {
  const log: string[] = [];
  await engine.registerAgentBuilder('worker', () => new RecordingAgent(AgentInstantiationContext.currentAgentId(), log));
  const worker = new AgentId('worker', 'default');
  const chatty = new AgentId('chatty', 'default');
  const quiet = new AgentId('quiet', 'default');

  const replies: Promise<unknown>[] = [];
  for (let i = 0; i < chattyMessages; i++) replies.push(engine.sendMessage(`chatty #${i}`, worker, { sender: chatty }));
  replies.push(engine.sendMessage('quiet', worker, { sender: quiet }));

  engine.start();
  await Promise.all(replies);
  await engine.stop();
  return { quietPosition: log.indexOf('quiet') + 1, handled: log.length };
}
