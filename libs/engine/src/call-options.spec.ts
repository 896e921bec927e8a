import { CollectingEventLogger, UnhandledMessageEvent } from '@agentopera/telemetry';
import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, CancellationToken, CancelledError, MessageChannel, NotHandled } from '@agentopera/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent, deferred, tick } from './test-utils/test-agent.js';

let engine: LocalAgentEngine;
afterEach(async () => {
  // Some handlers here never end: close() would wait for them for ever without a bound.
  await engine.close({ signal: AbortSignal.timeout(1000) }).catch(() => undefined);
});

describe('signal in send and publish options', () => {
  it('rejects a pending send with CancelledError whose cause is the signal reason, and cancels the handler token', async () => {
    engine = new LocalAgentEngine();
    const gate = deferred();
    let handlerToken: CancellationToken | undefined;
    await engine.registerAgentBuilder('slow', () => new TestAgent((_m, ctx) => ((handlerToken = ctx.cancellationToken), gate.promise)));
    engine.start();
    const controller = new AbortController();
    const call = engine.sendMessage('m', new AgentId('slow', 'k'), { signal: controller.signal });
    await tick();
    const reason = new Error('deadline');
    controller.abort(reason);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).cause).toBe(reason);
    expect(handlerToken?.isCancelled()).toBe(true);
    gate.resolve();
  });

  it('rejects at once, delivering nothing, when the signal has already aborted', async () => {
    engine = new LocalAgentEngine();
    const agents: TestAgent[] = [];
    await engine.registerAgentBuilder('echo', () => (agents.push(new TestAgent()), agents.at(-1)!));
    engine.start();
    const signal = AbortSignal.abort('too late');
    const error = await engine.sendMessage('m', new AgentId('echo', 'k'), { signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).cause).toBe('too late');
    await expect(engine.publishMessage('m', new MessageChannel('t', 'k'), { signal })).rejects.toBeInstanceOf(CancelledError);
    await engine.stopWhenIdle();
    expect(agents).toHaveLength(0);
  });

  it('works as a deadline (AbortSignal.timeout)', async () => {
    engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('never', () => new TestAgent(() => new Promise(() => undefined)));
    engine.start();
    await expect(engine.sendMessage('m', new AgentId('never', 'k'), { signal: AbortSignal.timeout(5) })).rejects.toBeInstanceOf(CancelledError);
  });

  it('takes a token and a signal together: either cancels', async () => {
    engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('never', () => new TestAgent(() => new Promise(() => undefined)));
    engine.start();
    const token = new CancellationToken();
    const call = engine.sendMessage('m', new AgentId('never', 'k'), { cancellationToken: token, signal: new AbortController().signal });
    token.cancel();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
  });

  it('detaches from a long-lived signal once the call has settled', async () => {
    engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    await engine.subscribe(new TypeSubscription('t', 'echo'));
    engine.start();
    const signal = new AbortController().signal;
    const added = vi.spyOn(signal, 'addEventListener');
    const removed = vi.spyOn(signal, 'removeEventListener');
    for (let n = 0; n < 20; n++) await engine.sendMessage(n, new AgentId('echo', 'k'), { signal });
    for (let n = 0; n < 20; n++) await engine.publishMessage(n, new MessageChannel('t', 'k'), { signal });
    await engine.stopWhenIdle();
    expect(added).toHaveBeenCalledTimes(40);
    expect(removed).toHaveBeenCalledTimes(40);
  });

  it('rejects a signal that is not an AbortSignal with an error naming it', async () => {
    engine = new LocalAgentEngine();
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    expect(() => engine.sendMessage('m', new AgentId('echo', 'k'), { signal: 'soon' as unknown as AbortSignal })).toThrow(
      /signal must be an AbortSignal, got "soon"/,
    );
  });
});

describe('published messages no handler accepts', () => {
  it('are reported to the event logger as UnhandledMessageEvent', async () => {
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ eventLogger: logger });
    await engine.registerAgentBuilder('picky', () => new TestAgent(() => NotHandled));
    await engine.subscribe(new TypeSubscription('t', 'picky'));
    engine.start();
    await engine.publishMessage({ text: 'hi' }, new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
    const unhandled = logger.events.filter((event) => event instanceof UnhandledMessageEvent).map((event) => event.toJSON());
    expect(unhandled).toHaveLength(1);
    expect(unhandled[0]).toMatchObject({ type: 'UnhandledMessage', handlingAgent: 'picky/k', messageType: 'Object', payload: '{"text":"hi"}' });
  });

  it('are reported when they reach no agent, and show a plain class instance as its class name and fields', async () => {
    class Gossip {
      constructor(readonly text: string) {}
    }
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ eventLogger: logger });
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.publishMessage(new Gossip('psst'), new MessageChannel('nobody', 'k'));
    await engine.stopWhenIdle();
    const unhandled = logger.events.filter((event) => event instanceof UnhandledMessageEvent).map((event) => event.toJSON());
    expect(unhandled).toEqual([
      { type: 'UnhandledMessage', payload: 'Gossip {"text":"psst"}', sender: null, receiver: 'nobody/k', kind: 'publish', handlingAgent: null, messageType: 'Gossip' },
    ]);
  });

  it('show plain JSON payloads as they are in every event', async () => {
    const logger = new CollectingEventLogger();
    engine = new LocalAgentEngine({ eventLogger: logger });
    await engine.registerAgentBuilder('echo', () => new TestAgent());
    engine.start();
    await engine.sendMessage('a string', new AgentId('echo', 'k'));
    await engine.sendMessage({ n: 1, list: [true, null] }, new AgentId('echo', 'k'));
    await engine.stopWhenIdle();
    const payloads = logger.events.map((event) => (event.toJSON() as { payload?: string }).payload).filter((p) => p !== undefined);
    expect(payloads).toContain('"a string"');
    expect(payloads).toContain('{"n":1,"list":[true,null]}');
    expect(payloads).not.toContain('Message could not be serialized');
  });
});
