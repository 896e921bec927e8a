import { AgentId } from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentConstructionExceptionEvent } from './agent-construction-exception-event.js';
import { CollectingEventLogger } from './collecting-event-logger.js';
import { ConsoleEventLogger } from './console-event-logger.js';
import { DeliveryStage } from './delivery-stage.js';
import { MessageEvent } from './message-event.js';
import { MessageKind } from './message-kind.js';
import { NoopEventLogger } from './noop-event-logger.js';

const message = new MessageEvent({
  payload: '"hello"',
  sender: null,
  receiver: new AgentId('a', 'b'),
  kind: MessageKind.DIRECT,
  deliveryStage: DeliveryStage.DELIVER,
});
const failure = new AgentConstructionExceptionEvent({ agentId: new AgentId('a', 'b'), exception: new Error('nope') });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('event loggers', () => {
  it('NoopEventLogger is disabled and ignores events', () => {
    const logger = new NoopEventLogger();
    expect(logger.isEnabled()).toBe(false);
    expect(() => logger.log(message)).not.toThrow();
  });

  it('ConsoleEventLogger writes one JSON line per event', () => {
    const lines: string[] = [];
    const logger = new ConsoleEventLogger({ write: (line) => lines.push(line) });
    expect(logger.isEnabled()).toBe(true);
    logger.log(message);
    logger.log(failure);
    expect(lines.map((line) => JSON.parse(line))).toEqual([message.toJSON(), failure.toJSON()]);
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
  });

  it('ConsoleEventLogger writes to standard error by default', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    new ConsoleEventLogger().log(message);
    expect(write).toHaveBeenCalledWith(`${message.toString()}\n`);
  });

  it('CollectingEventLogger keeps events in order until cleared', () => {
    const logger = new CollectingEventLogger();
    expect(logger.isEnabled()).toBe(true);
    logger.log(message);
    logger.log(failure);
    expect(logger.events).toEqual([message, failure]);
    logger.clear();
    expect(logger.events).toEqual([]);
  });
});
