import { TypeSubscription } from '@agentopera/subscriptions';
import { CollectingEventLogger, type EngineEvent, type EventLogger } from '@agentopera/telemetry';
import { AgentId, MessageChannel } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

class Note {
  constructor(readonly text: string) {}
}

/** Counts serializations, so the test sees whether the hot path serialized anything. */
function countingSerializer() {
  const counter = { calls: 0 };
  const serializer = {
    typeName: 'Note',
    dataContentType: 'application/json',
    serialize: (message: unknown) => {
      counter.calls++;
      return new TextEncoder().encode(JSON.stringify(message));
    },
    deserialize: (bytes: Uint8Array) => new Note(JSON.parse(new TextDecoder().decode(bytes)).text),
  };
  return { counter, serializer };
}

async function exercise(eventLogger?: EventLogger): Promise<number> {
  const engine = new LocalAgentEngine({ eventLogger });
  const { counter, serializer } = countingSerializer();
  engine.registerMsgSerializer(serializer);
  await engine.registerAgentBuilder('a', () => new TestAgent());
  await engine.subscribe(new TypeSubscription('t', 'a'));
  engine.start();
  await engine.sendMessage(new Note('send'), new AgentId('a', 'k'));
  await engine.publishMessage(new Note('publish'), new MessageChannel('t', 'k'));
  await engine.stopWhenIdle();
  return counter.calls;
}

describe('cost only when used', () => {
  it('serializes nothing without an event logger', async () => {
    expect(await exercise()).toBe(0);
  });

  it('serializes nothing while the event logger is disabled', async () => {
    const disabled: EventLogger = {
      isEnabled: () => false,
      log: () => {
        throw new Error('must not be called while disabled');
      },
    };
    expect(await exercise(disabled)).toBe(0);
  });

  it('serializes payloads for the events of an enabled logger', async () => {
    const logger = new CollectingEventLogger();
    expect(await exercise(logger)).toBeGreaterThan(0);
    const payloads = logger.events.map((e: EngineEvent) => ('payload' in e ? e.payload : ''));
    expect(payloads).toContain('{"text":"send"}');
  });
});
