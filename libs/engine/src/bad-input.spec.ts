import { DefaultSerializationRegistry, JsonMessageSerializer } from '@agentopera/serialization';
import { DefaultSubscriptionManager, DuplicateSubscriptionError, TypeSubscription, UnknownSubscriptionError } from '@agentopera/subscriptions';
import { AgentId, EngineStateError, InvalidStateError, MessageChannel, type EngineState } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

// Issue 6, bad input: each refused call fails with an error that names the problem, and leaves the
// engine exactly as it was. Identity parsing (bad agent/channel types, malformed fromStr) is tested
// in libs/types/src/identity.spec.ts, hostile JSON in libs/serialization (class-json-message-serializer
// and json-message-serializer specs); here is what reaches the engine.

async function engineWithState() {
  const subscriptions = new DefaultSubscriptionManager();
  const serializers = new DefaultSerializationRegistry();
  const engine = new LocalAgentEngine({ subscriptionManager: subscriptions, serializationRegistry: serializers });
  await engine.registerAgentBuilder('echo', () => new TestAgent());
  await engine.registerAgentInstance(new TestAgent(), new AgentId('solo', 'one'));
  await engine.subscribe(new TypeSubscription('t', 'echo', 'sub-1'));
  engine.registerMsgSerializer(new JsonMessageSerializer('Ping'));
  const handled = engine.sendMessage('queued before start', new AgentId('echo', 'k'));
  engine.start();
  await handled;
  await engine.stop();
  engine.sendMessage('waits for the next start', new AgentId('echo', 'k')).catch(() => undefined);
  return { engine, subscriptions, serializers };
}

type Setup = Awaited<ReturnType<typeof engineWithState>>;

async function snapshot({ engine, subscriptions, serializers }: Setup) {
  return {
    state: await engine.saveState(),
    queued: engine.unprocessedMessagesCount,
    subscriptions: subscriptions.subscriptions.map((s) => s.id),
    serializers: ['Ping', 'Bad'].map((name) => serializers.isRegistered(name, 'application/json')),
    recipients: (await subscriptions.getSubscribedRecipients(new MessageChannel('t', 'x'))).map(String),
  };
}

const notAFunction = 'not a function' as never;

const badCalls: [string, (setup: Setup) => Promise<unknown> | unknown, RegExp | (new (...args: never[]) => Error)][] = [
  ['an invalid agent type', ({ engine }) => engine.registerAgentBuilder('no spaces allowed', () => new TestAgent()), /"no spaces allowed"/],
  ['a duplicate agent type', ({ engine }) => engine.registerAgentBuilder('echo', () => new TestAgent()), /"echo" is already registered/],
  ['a builder that is not a function', ({ engine }) => engine.registerAgentBuilder('other', notAFunction), /needs a builder function/],
  ['a duplicate agent instance', ({ engine }) => engine.registerAgentInstance(new TestAgent(), new AgentId('solo', 'one')), /"solo\/one" is already registered/],
  ['an instance of a type that has a builder', ({ engine }) => engine.registerAgentInstance(new TestAgent(), new AgentId('echo', 'x')), /has a builder/],
  ['a duplicate subscription', ({ engine }) => engine.subscribe(new TypeSubscription('t', 'echo', 'sub-2')), DuplicateSubscriptionError],
  ['an unknown subscription id', ({ engine }) => engine.unsubscribe('sub-404'), UnknownSubscriptionError],
  ['loadState(null)', ({ engine }) => engine.loadState(null as never), InvalidStateError],
  ['loadState(42)', ({ engine }) => engine.loadState(42 as never), InvalidStateError],
  ['loadState([])', ({ engine }) => engine.loadState([] as never), InvalidStateError],
  ['loadState with a key that is not an agent id', ({ engine }) => engine.loadState({ 'echo/k': {}, 'no-slash': {} }), /"no-slash"/],
  ['loadState with a malformed agent state', ({ engine }) => engine.loadState({ 'echo/k': {}, 'echo/j': 'x' } as unknown as EngineState), /echo\/j/],
  ['a recipient that is not an AgentId', ({ engine }) => engine.sendMessage('m', 'echo/k' as never), /needs an AgentId/],
  ['a channel that is not a MessageChannel', ({ engine }) => engine.publishMessage('m', 't/x' as never), /needs a MessageChannel/],
  ['a serializer that is not one', ({ engine }) => engine.registerMsgSerializer({ typeName: 'Bad' } as never), /serializer/i],
  ['stop() before start()', ({ engine }) => engine.stop(), EngineStateError],
  ['stopWhenIdle() before start()', ({ engine }) => engine.stopWhenIdle(), EngineStateError],
];

describe('bad input is refused with a clear error and changes nothing', () => {
  it.each(badCalls)('%s', async (_name, call, expected) => {
    const setup = await engineWithState();
    const before = await snapshot(setup);
    const error = await (async () => call(setup))().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    if (expected instanceof RegExp) expect((error as Error).message).toMatch(expected);
    else expect(error).toBeInstanceOf(expected);
    expect(await snapshot(setup)).toEqual(before);
  });

  it('start() twice leaves the first run going: it still serves, and one stop() ends it', async () => {
    const { engine } = await engineWithState();
    engine.start();
    expect(() => engine.start()).toThrow(/already started/);
    await expect(engine.sendMessage('still served', new AgentId('echo', 'k'))).resolves.toBe('still served');
    await engine.stop();
    await expect(engine.stop()).rejects.toBeInstanceOf(EngineStateError);
  });
});
