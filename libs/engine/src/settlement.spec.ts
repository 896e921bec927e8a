import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentConstructionExceptionEvent, CollectingEventLogger, MessageHandlerExceptionEvent } from '@agentopera/telemetry';
import {
  AgentId,
  AgentNotFoundError,
  CancellationToken,
  CancelledError,
  EngineStoppedError,
  MessageChannel,
  MessageDroppedError,
} from '@agentopera/types';
import { AsyncQueue } from '@agentopera/queue';
import { describe, expect, it, vi } from 'vitest';
import { DefaultInterventionHandler, DropMessage } from './intervention-handler.js';
import { LocalAgentEngine } from './local-agent-engine.js';
import type { MessageEnvelope } from './envelopes.js';
import { deferred, TestAgent, tick } from './test-utils/test-agent.js';

// Every sendMessage promise settles, and stopWhenIdle() cannot hang.

describe('every sendMessage promise settles', () => {
  it('rejects an unknown recipient type at once, enqueuing nothing', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('known', () => new TestAgent());
    const error = await engine.sendMessage('m', new AgentId('missing', 'k')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentNotFoundError);
    expect((error as Error).message).toMatch(/"missing".*known/);
    expect(engine.unprocessedMessagesCount).toBe(0);
  });

  it('rejects with the builder error, logs it, and keeps nothing half-built', async () => {
    const events = new CollectingEventLogger();
    const engine = new LocalAgentEngine({ eventLogger: events });
    let attempts = 0;
    const failure = new Error('cannot build');
    await engine.registerAgentBuilder('fragile', () => {
      attempts++;
      if (attempts === 1) throw failure;
      return new TestAgent();
    });
    engine.start();
    await expect(engine.sendMessage('m', new AgentId('fragile', 'k'))).rejects.toBe(failure);
    expect(events.events.some((e) => e instanceof AgentConstructionExceptionEvent)).toBe(true);
    await expect(engine.saveState()).resolves.toEqual({});
    await expect(engine.sendMessage('again', new AgentId('fragile', 'k'))).resolves.toBe('again');
    await engine.stop();
  });

  it('rejects with exactly what the handler threw', async () => {
    const engine = new LocalAgentEngine();
    const thrown = { not: 'an Error' };
    await engine.registerAgentBuilder('thrower', () =>
      new TestAgent(() => {
        throw thrown;
      }),
    );
    engine.start();
    await expect(engine.sendMessage('m', new AgentId('thrower', 'k'))).rejects.toBe(thrown);
    await engine.stop();
  });

  it('rejects when an intervention handler throws or drops the send, or drops the response', async () => {
    const boom = new Error('intervention failed');
    class Interceptor extends DefaultInterventionHandler {
      override onSend(message: unknown): unknown {
        if (message === 'throw') throw boom;
        if (message === 'drop') return DropMessage;
        return message;
      }
      override async onResponse(message: unknown): Promise<unknown> {
        return message === 'drop-reply' ? DropMessage : message;
      }
    }
    const engine = new LocalAgentEngine({ interventionHandlers: [new Interceptor()] });
    await engine.registerAgentBuilder('echo', () => new TestAgent((m) => (m === 'reply-drop' ? 'drop-reply' : m)));
    engine.start();
    const id = new AgentId('echo', 'k');
    await expect(engine.sendMessage('throw', id)).rejects.toBe(boom);
    await expect(engine.sendMessage('drop', id)).rejects.toBeInstanceOf(MessageDroppedError);
    await expect(engine.sendMessage('reply-drop', id)).rejects.toBeInstanceOf(MessageDroppedError);
    await expect(engine.sendMessage('fine', id)).resolves.toBe('fine');
    await engine.stopWhenIdle();
  });

  it('rejects at once and never delivers when the token is already cancelled', async () => {
    const engine = new LocalAgentEngine();
    const agent = new TestAgent();
    await engine.registerAgentInstance(agent, new AgentId('a', 'k'));
    const token = new CancellationToken();
    token.cancel();
    await expect(engine.sendMessage('m', agent.id, { cancellationToken: token })).rejects.toBeInstanceOf(CancelledError);
    expect(engine.unprocessedMessagesCount).toBe(0);
  });

  it('drops a send cancelled while queued: the caller is rejected and the handler never runs', async () => {
    const engine = new LocalAgentEngine();
    const agent = new TestAgent();
    await engine.registerAgentInstance(agent, new AgentId('a', 'k'));
    const token = new CancellationToken();
    const reply = engine.sendMessage('m', agent.id, { cancellationToken: token });
    token.cancel();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
    engine.start();
    await engine.stopWhenIdle();
    expect(agent.received).toEqual([]);
  });

  it('rejects the caller of a running handler on cancel, and the handler sees its signal abort', async () => {
    const engine = new LocalAgentEngine();
    const gate = deferred();
    let aborted: boolean | undefined;
    await engine.registerAgentBuilder('slow', () =>
      new TestAgent(async (_m, ctx) => {
        await gate.promise;
        aborted = ctx.cancellationToken.signal.aborted;
        return 'late';
      }),
    );
    engine.start();
    const token = new CancellationToken();
    const reply = engine.sendMessage('m', new AgentId('slow', 'k'), { cancellationToken: token });
    await tick();
    token.cancel();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
    gate.resolve();
    await engine.stopWhenIdle();
    expect(aborted).toBe(true);
  });

  it('cancels a nested call linked to the outer token', async () => {
    const engine = new LocalAgentEngine();
    const innerStarted = deferred();
    let innerOutcome: unknown;
    await engine.registerAgentBuilder('inner', () =>
      new TestAgent(async (_m, ctx) => {
        innerStarted.resolve();
        await new Promise((resolve) => ctx.cancellationToken.addCallback(() => resolve(undefined)));
        return 'inner done';
      }),
    );
    await engine.registerAgentBuilder('outer', () =>
      new TestAgent(async (_m, ctx, self) => {
        try {
          return await self.engine.sendMessage('nested', new AgentId('inner', 'k'), {
            sender: self.id,
            cancellationToken: ctx.cancellationToken,
          });
        } catch (error) {
          innerOutcome = error;
          throw error;
        }
      }),
    );
    engine.start();
    const token = new CancellationToken();
    const reply = engine.sendMessage('go', new AgentId('outer', 'k'), { cancellationToken: token });
    await innerStarted.promise;
    token.cancel();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
    await engine.stopWhenIdle();
    expect(innerOutcome).toBeInstanceOf(CancelledError);
  });

  it('rejects each queued send with EngineStoppedError when stop() discards it', async () => {
    const engine = new LocalAgentEngine();
    const gate = deferred();
    await engine.registerAgentBuilder('busy', () => new TestAgent(async (m) => (m === 'first' ? gate.promise.then(() => m) : m)));
    const first = engine.sendMessage('first', new AgentId('busy', 'k'));
    const queued = Array.from({ length: 25 }, (_, i) => engine.sendMessage(i, new AgentId('busy', `q${i}`)));
    // Hand only the first envelope out, then stop with 25 still queued.
    await tick();
    await engine.processNext();
    expect(engine.unprocessedMessagesCount).toBe(25);
    engine.start();
    const stopping = engine.stop();
    const outcomes = await Promise.allSettled(queued);
    await stopping;
    const stopped = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof EngineStoppedError);
    expect(stopped).toHaveLength(25);
    // The handler that was running at stop() still answers its caller.
    gate.resolve();
    await expect(first).resolves.toBe('first');
  });

  it('discards every queued send on stop() right after start()', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    const queued = Array.from({ length: 10 }, (_, i) => engine.sendMessage(i, new AgentId('echo', 'k')));
    engine.start();
    await engine.stop();
    const outcomes = await Promise.allSettled(queued);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof EngineStoppedError)).toBe(true);
  });

  it('rejects with EngineStoppedError a send blocked on a full bounded queue when the engine stops', async () => {
    const engine = new LocalAgentEngine({ queue: () => new AsyncQueue<MessageEnvelope>(1) });
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    const id = new AgentId('echo', 'k');
    const inQueue = engine.sendMessage(1, id);
    const waiting = engine.sendMessage(2, id);
    await tick();
    expect(engine.unprocessedMessagesCount).toBe(1);
    engine.start();
    await engine.stop();
    const outcomes = await Promise.allSettled([inQueue, waiting]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EngineStoppedError);
    }
  });

  it('rejects a send made after stop() on an engine given a queue instance', async () => {
    const engine = new LocalAgentEngine({ queue: new AsyncQueue<MessageEnvelope>() });
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.stop();
    await expect(engine.sendMessage('late', new AgentId('echo', 'k'))).rejects.toBeInstanceOf(EngineStoppedError);
    expect(() => engine.start()).toThrow(/pass a queue factory/);
  });

  it('keeps a send made after stop() for the next start() when the queue comes from a factory', async () => {
    const engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.stop();
    const reply = engine.sendMessage('later', new AgentId('echo', 'k'));
    engine.start();
    await expect(reply).resolves.toBe('later');
    await engine.stop();
  });
});

describe('stopWhenIdle() settles', () => {
  it('returns after handlers throw, after sends to unknown types and after drops', async () => {
    class DropAll extends DefaultInterventionHandler {
      override onPublish(): unknown {
        return DropMessage;
      }
    }
    const engine = new LocalAgentEngine({ interventionHandlers: [new DropAll()] });
    await engine.registerAgentBuilder('thrower', () =>
      new TestAgent(() => {
        throw new Error('handler failed');
      }),
    );
    await engine.subscribe(new TypeSubscription('t', 'thrower'));
    engine.start();
    const results = await Promise.allSettled([
      engine.sendMessage('m', new AgentId('thrower', 'k')),
      engine.sendMessage('m', new AgentId('nobody', 'k')),
      engine.publishMessage('m', new MessageChannel('t', 'k')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    await engine.stopWhenIdle();
  });

  it('returns after a published message whose subscriber type is not registered', async () => {
    const engine = new LocalAgentEngine();
    await engine.subscribe(new TypeSubscription('t', 'ghost'));
    engine.start();
    await engine.publishMessage('m', new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
  });
});

describe('published message errors', () => {
  async function engineWithSubscribers(ignoreUnhandledExceptions: boolean) {
    const events = new CollectingEventLogger();
    const engine = new LocalAgentEngine({ ignoreUnhandledExceptions, eventLogger: events });
    const healthy = new TestAgent();
    await engine.registerAgentBuilder('bad', () =>
      new TestAgent(() => {
        throw new Error('subscriber failed');
      }),
    );
    await engine.registerAgentBuilder('good', () => healthy);
    await engine.subscribe(new TypeSubscription('t', 'bad'));
    await engine.subscribe(new TypeSubscription('t', 'good'));
    return { engine, events, healthy };
  }

  it('a throwing subscriber stops neither the others nor the engine, and is logged', async () => {
    const { engine, events, healthy } = await engineWithSubscribers(true);
    engine.start();
    await engine.publishMessage('one', new MessageChannel('t', 'k'));
    await engine.publishMessage('two', new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
    expect(healthy.received).toEqual(['one', 'two']);
    expect(events.events.filter((e) => e instanceof MessageHandlerExceptionEvent)).toHaveLength(2);
  });

  it('with ignoreUnhandledExceptions: false, an awaited stopWhenIdle() surfaces the error', async () => {
    const { engine, healthy } = await engineWithSubscribers(false);
    engine.start();
    await engine.publishMessage('one', new MessageChannel('t', 'k'));
    await expect(engine.stopWhenIdle()).rejects.toThrow('subscriber failed');
    expect(healthy.received).toEqual(['one']);
  });

  it('with ignoreUnhandledExceptions: false, the next processNext() surfaces the error once', async () => {
    const { engine } = await engineWithSubscribers(false);
    await engine.publishMessage('one', new MessageChannel('t', 'k'));
    await engine.processNext();
    await tick();
    await expect(engine.processNext()).rejects.toThrow('subscriber failed');
  });

  it('with ignoreUnhandledExceptions: false, an awaited stop() surfaces the error', async () => {
    const { engine } = await engineWithSubscribers(false);
    engine.start();
    await engine.publishMessage('one', new MessageChannel('t', 'k'));
    await tick(5);
    await expect(engine.stop()).rejects.toThrow('subscriber failed');
  });
});

describe('failures nobody else would hear of', () => {
  async function publishToThrowingSubscriber(options: ConstructorParameters<typeof LocalAgentEngine>[0]): Promise<string[]> {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const engine = new LocalAgentEngine(options);
      await engine.registerAgentBuilder('bad', () =>
        new TestAgent(() => {
          throw new RangeError('subscriber exploded');
        }),
      );
      await engine.subscribe(new TypeSubscription('t', 'bad'));
      engine.start();
      await engine.publishMessage('m', new MessageChannel('t', 'k'));
      await engine.stopWhenIdle().catch(() => undefined);
    } finally {
      spy.mockRestore();
    }
    return writes.filter((line) => line.includes('[agentopera]'));
  }

  it('are written to stderr, one line each, when no event logger was given', async () => {
    const lines = await publishToThrowingSubscriber({});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('bad/k');
    expect(lines[0]).toContain('RangeError: subscriber exploded');
  });

  it('go only to the event logger when one is given', async () => {
    expect(await publishToThrowingSubscriber({ eventLogger: new CollectingEventLogger() })).toEqual([]);
  });

  it('are not printed when ignoreUnhandledExceptions is false (they surface instead)', async () => {
    expect(await publishToThrowingSubscriber({ ignoreUnhandledExceptions: false })).toEqual([]);
  });
});
