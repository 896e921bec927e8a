import { AgentId, MessageChannel } from '@agentopera/types';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { MessageEngineTracingConfig } from './message-engine-tracing-config.js';

const config = new MessageEngineTracingConfig('LocalAgentEngine');

describe('MessageEngineTracingConfig', () => {
  it('keeps the engine name', () => {
    expect(config.engineName).toBe('LocalAgentEngine');
  });

  it('names spans "<operation> <destination>"', () => {
    expect(config.getSpanName('send', new AgentId('my_agent', 'default'))).toBe('send my_agent/default');
    expect(config.getSpanName('publish', new MessageChannel('news', 'world'))).toBe('publish news/world');
    expect(config.getSpanName('process', 'agent/key')).toBe('process agent/key');
    expect(config.getSpanName('intercept', null)).toBe('intercept');
    expect(config.getSpanName('create', undefined)).toBe('create');
    expect(config.getSpanName('create', '')).toBe('create');
  });

  it('makes producers of create, send and publish, consumers of process and ack', () => {
    expect(['create', 'send', 'publish', 'process', 'ack', 'intercept'].map((op) => config.getSpanKind(op as 'send'))).toEqual([
      SpanKind.PRODUCER,
      SpanKind.PRODUCER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.CONSUMER,
      SpanKind.INTERNAL,
    ]);
  });

  it('builds messaging attributes, which extra attributes cannot override', () => {
    expect(
      config.buildAttributes('process', new AgentId('a', 'k'), { message_type: 'Ping', 'messaging.system': 'other' }),
    ).toEqual({
      message_type: 'Ping',
      'messaging.system': 'agentopera',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'a/k',
    });
    expect(config.buildAttributes('intercept', null)).toEqual({
      'messaging.system': 'agentopera',
      'messaging.operation.type': 'receive',
      'messaging.operation.name': 'intercept',
    });
  });
});
