import { CollectingEventLogger, TurnBlockedEvent } from '@agentopera/telemetry';
import { AgentId, type MessageContext } from '@agentopera/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { eventually } from './test-utils/lifecycle-agents.js';
import { TestAgent, deferred } from './test-utils/test-agent.js';

class Start {}
class Reply {
  constructor(readonly value: number) {}
}
class Note {}

/**
 * The classic deadlock: a serial coordinator whose `Start` handler awaits replies that reach it as
 * messages of its own. With `interleaveReplies`, its `Reply` handler may run during the turn (as
 * `@messageHandler(Reply, { interleave: true })` declares on a routed agent).
 */
class Coordinator extends TestAgent {
  private readonly replies = deferred<number>();

  constructor(private readonly interleaveReplies: boolean) {
    super((message) => (message instanceof Start ? this.replies.promise : message instanceof Reply ? this.replies.resolve(message.value) : 'noted'));
  }

  isInterleaving(message: unknown, _ctx: MessageContext): boolean {
    return this.interleaveReplies && message instanceof Reply;
  }
}

let engine: LocalAgentEngine;
let warnings: Error[];
const onWarning = (warning: Error): void => {
  if ((warning as Error & { code?: string }).code === 'AGENTOPERA_TURN_BLOCKED') warnings.push(warning);
};

beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(async () => {
  process.off('warning', onWarning);
  await engine.close({ signal: AbortSignal.timeout(1000) }).catch(() => undefined);
});

const coordinator = new AgentId('coordinator', 'main');

describe('TurnBlockedEvent', () => {
  it('a serial turn that keeps messages waiting past the threshold is reported once, with a warning line naming them', async () => {
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ eventLogger: logger, turnBlockedWarningMs: 30 });
    await engine.registerAgentBuilder('coordinator', () => new Coordinator(false), { concurrency: 'serial' });
    engine.start();
    const started = engine.sendMessage(new Start(), coordinator);
    const waiting = [engine.sendMessage(new Reply(7), coordinator), engine.sendMessage(new Note(), coordinator), engine.sendMessage(new Note(), coordinator)];
    const blocked = (): TurnBlockedEvent[] => logger.events.filter((event): event is TurnBlockedEvent => event instanceof TurnBlockedEvent);
    await eventually(() => blocked().length > 0, 'the blocked turn is reported');
    const json = blocked()[0].toJSON();
    expect(json).toMatchObject({
      type: 'TurnBlocked',
      agentId: 'coordinator/main',
      runningMessageType: 'Start',
      waitingMessageTypes: ['Reply', 'Note', 'Note'],
      waitingCount: 3,
      thresholdMs: 30,
    });
    expect(json.waitedMs).toBeGreaterThanOrEqual(30);
    await eventually(() => warnings.length > 0, 'the warning line');
    expect(warnings[0].message).toContain('coordinator/main');
    expect(warnings[0].message).toContain('Start');
    expect(warnings[0].message).toContain('Reply, Note x2');
    expect(warnings[0].message).toContain('interleave');
    // Still deadlocked: a message that comes later waits too, but this turn is not reported again.
    // Cancelling the Start call does not end its turn, so the test ends it by closing the engine.
    const later = engine.sendMessage(new Note(), coordinator).catch(() => undefined);
    await engine.close({ signal: AbortSignal.abort() });
    await Promise.allSettled([started, ...waiting, later]);
    expect(blocked()).toHaveLength(1);
    expect(warnings).toHaveLength(1);
  });

  it('each blocked turn is reported once: the next turn, blocked in its turn, is reported again', async () => {
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ eventLogger: logger, turnBlockedWarningMs: 20 });
    const gates = [deferred(), deferred()];
    let turn = 0;
    await engine.registerAgentBuilder('coordinator', () => new TestAgent(() => gates[turn++]?.promise), { concurrency: 'serial' });
    engine.start();
    const calls = [0, 1, 2].map(() => engine.sendMessage(new Note(), coordinator));
    const blocked = (): TurnBlockedEvent[] => logger.events.filter((event): event is TurnBlockedEvent => event instanceof TurnBlockedEvent);
    await eventually(() => blocked().length === 1, 'the first turn is reported');
    expect(blocked()[0].waitingCount).toBe(2);
    gates[0].resolve();
    await eventually(() => blocked().length === 2, 'the second turn is reported');
    expect(blocked()[1].waitingCount).toBe(1);
    gates[1].resolve();
    await Promise.all(calls);
    expect(blocked()).toHaveLength(2);
  });

  it('interleave fixes the deadlock: the reply runs during the turn, nothing is reported', async () => {
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ eventLogger: logger, turnBlockedWarningMs: 30 });
    await engine.registerAgentBuilder('coordinator', () => new Coordinator(true), { concurrency: 'serial' });
    engine.start();
    const started = engine.sendMessage(new Start(), coordinator);
    await engine.sendMessage(new Reply(7), coordinator);
    expect(await started).toBe(7);
    expect(logger.events.some((event) => event instanceof TurnBlockedEvent)).toBe(false);
  });

  it.each([0, Infinity])('turnBlockedWarningMs: %s turns the watch off; a negative value is refused', (value) => {
    engine = new LocalAgentEngine({ turnBlockedWarningMs: value });
    expect(() => new LocalAgentEngine({ turnBlockedWarningMs: -1 })).toThrow(/turnBlockedWarningMs must be/);
  });
});
