import { AgentId, MessageChannel } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { AgentConstructionExceptionEvent } from './agent-construction-exception-event.js';
import { DeliveryStage } from './delivery-stage.js';
import { InterventionExceptionEvent } from './intervention-exception-event.js';
import { MessageDroppedEvent } from './message-dropped-event.js';
import { MessageEvent } from './message-event.js';
import { MessageHandlerExceptionEvent } from './message-handler-exception-event.js';
import { MessageKind } from './message-kind.js';
import { UnhandledMessageEvent } from './unhandled-message-event.js';

const sender = new AgentId('caller', 'default');
const receiver = new AgentId('worker', 'k1');
const channel = new MessageChannel('news', 'world');

describe('engine events', () => {
  it('MessageEvent keeps its fields and formats ids as strings', () => {
    const event = new MessageEvent({
      payload: '{"text":"hi"}',
      sender,
      receiver,
      kind: MessageKind.DIRECT,
      deliveryStage: DeliveryStage.SEND,
    });
    expect(event.sender).toBe(sender);
    expect(event.receiver).toBe(receiver);
    const json = {
      type: 'Message',
      payload: '{"text":"hi"}',
      sender: 'caller/default',
      receiver: 'worker/k1',
      kind: 'direct',
      deliveryStage: 'send',
    };
    expect(event.toJSON()).toEqual(json);
    expect(JSON.parse(event.toString())).toEqual(json);
    expect(JSON.parse(JSON.stringify(event))).toEqual(json);
  });

  it('MessageEvent accepts a channel receiver and null addresses', () => {
    const published = new MessageEvent({
      payload: '',
      sender: null,
      receiver: channel,
      kind: MessageKind.PUBLISH,
      deliveryStage: DeliveryStage.DELIVER,
    });
    expect(published.toJSON()).toMatchObject({ sender: null, receiver: 'news/world', kind: 'publish', deliveryStage: 'deliver' });
    const nowhere = new MessageEvent({ payload: '', sender, receiver: null, kind: MessageKind.RESPOND, deliveryStage: DeliveryStage.SEND });
    expect(nowhere.toJSON()).toMatchObject({ receiver: null, kind: 'respond' });
  });

  it('MessageDroppedEvent', () => {
    const event = new MessageDroppedEvent({ payload: 'p', sender: null, receiver: channel, kind: MessageKind.PUBLISH });
    expect(event.toJSON()).toEqual({ type: 'MessageDropped', payload: 'p', sender: null, receiver: 'news/world', kind: 'publish' });
    expect(event.toString()).toBe(JSON.stringify(event.toJSON()));
  });

  it('UnhandledMessageEvent names the channel, the agent without a handler and the message type', () => {
    const event = new UnhandledMessageEvent({
      payload: '{"text":"hi"}',
      sender,
      receiver: channel,
      kind: MessageKind.PUBLISH,
      handlingAgent: receiver,
      messageType: 'Greeting',
    });
    expect(event.handlingAgent).toBe(receiver);
    const json = {
      type: 'UnhandledMessage',
      payload: '{"text":"hi"}',
      sender: 'caller/default',
      receiver: 'news/world',
      kind: 'publish',
      handlingAgent: 'worker/k1',
      messageType: 'Greeting',
    };
    expect(event.toJSON()).toEqual(json);
    expect(JSON.parse(event.toString())).toEqual(json);
    expect(new UnhandledMessageEvent({ payload: '', sender: null, receiver: channel, kind: MessageKind.PUBLISH, handlingAgent: receiver, messageType: 'string' }).toJSON()).toMatchObject({ sender: null });
  });

  it('MessageHandlerExceptionEvent keeps the exception and shows it as { name, message }', () => {
    const error = new RangeError('out of range');
    const event = new MessageHandlerExceptionEvent({ payload: 'p', handlingAgent: receiver, exception: error });
    expect(event.exception).toBe(error);
    expect(event.toJSON()).toEqual({
      type: 'MessageHandlerException',
      payload: 'p',
      handlingAgent: 'worker/k1',
      exception: { name: 'RangeError', message: 'out of range' },
    });
  });

  it('InterventionExceptionEvent names the stage and the handler class', () => {
    const error = new Error('blocked');
    const event = new InterventionExceptionEvent({ payload: 'p', stage: 'publish', handler: 'Guard', exception: error });
    expect(event.exception).toBe(error);
    expect(JSON.parse(event.toString())).toEqual({
      type: 'InterventionException',
      payload: 'p',
      stage: 'publish',
      handler: 'Guard',
      exception: { name: 'Error', message: 'blocked' },
    });
  });

  it('AgentConstructionExceptionEvent describes values that are not errors', () => {
    const describe = (exception: unknown): unknown =>
      new AgentConstructionExceptionEvent({ agentId: receiver, exception }).toJSON().exception;
    expect(describe('plain string')).toEqual({ name: 'string', message: 'plain string' });
    expect(describe(42)).toEqual({ name: 'number', message: '42' });
    expect(describe({ code: 7 })).toEqual({ name: 'Object', message: '{"code":7}' });
    expect(describe(null)).toEqual({ name: 'object', message: 'null' });
    expect(describe(undefined)).toEqual({ name: 'undefined', message: 'undefined' });
    expect(new AgentConstructionExceptionEvent({ agentId: receiver, exception: new Error('x') }).toString()).toBe(
      '{"type":"AgentConstructionException","agentId":"worker/k1","exception":{"name":"Error","message":"x"}}',
    );
  });

  it('formats only when asked', () => {
    let formatted = 0;
    const id = new AgentId('lazy', 'k');
    id.toString = () => {
      formatted += 1;
      return 'lazy/k';
    };
    const event = new MessageEvent({ payload: '', sender: id, receiver: null, kind: MessageKind.DIRECT, deliveryStage: DeliveryStage.SEND });
    expect(formatted).toBe(0);
    event.toString();
    expect(formatted).toBe(1);
  });
});
