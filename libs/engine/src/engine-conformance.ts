import { InMemoryStateStore, type StateStore } from '@agentopera/state';
import { TypeSubscription } from '@agentopera/subscriptions';
import {
  AgentActivatedEvent,
  CollectingEventLogger,
  MessageDroppedEvent,
  MessageEvent,
  MessageHandlerExceptionEvent,
  UnhandledMessageEvent,
  type EventLogger,
} from '@agentopera/telemetry';
import {
  AgentId,
  AgentNotFoundError,
  CancelledError,
  CantHandleError,
  MessageChannel,
  EngineStoppedError,
  MessageDroppedError,
  type AgentEngine,
  type AgentLifecycleOptions,
  type StopOptions,
} from '@agentopera/types';
import type { MessageSerializer } from '@agentopera/serialization';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { KitAgent, KitAnswer, KitCommand, KitNews, KitWorld, kitSerializers } from './conformance-agents.js';
import { DefaultInterventionHandler, DropMessage, type InterventionHandler } from './intervention-handler.js';

/** The components the kit gives the engine under test (each engine takes them as options of its own). */
export interface ConformanceEngineOptions {
  readonly eventLogger?: EventLogger;
  readonly interventionHandlers?: readonly InterventionHandler[];
  readonly stateStore?: StateStore;
}

/** What the kit needs of an engine beyond `AgentEngine`: starting, closing and serializers. */
export interface ConformanceEngine extends AgentEngine {
  start(): void | Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  close(options?: StopOptions): Promise<void>;
  registerMsgSerializer(serializer: MessageSerializer | readonly MessageSerializer[]): void;
}

/** Builds a fresh engine with these components for one test (the kit starts and closes it). */
export type MakeAgentEngine = (options: ConformanceEngineOptions) => ConformanceEngine | Promise<ConformanceEngine>;

/** Bound on a call that must settle at once (a deadline would reject with `CancelledError` instead). */
const AT_ONCE_MS = 10_000;
const POLL = { timeout: 15_000, interval: 20 };

/**
 * Registers Vitest suites checking that `makeEngine` builds an engine that keeps the shared
 * contract as `LocalAgentEngine` does, so that one program runs unchanged on either engine: RPC
 * results (instances of the declared response class) and errors, publish to subscriptions (one
 * agent per subscribed type, the sender excluded), serial turns and reentrancy, cancellation by
 * signal, interventions, `AgentNotFoundError` and `CantHandleError` at once, the engine's events,
 * and `persistence: 'turn'`. Call it at the top level of a spec file.
 */
export function describeAgentEngineConformance(name: string, makeEngine: MakeAgentEngine): void {
  describe(`${name} keeps the AgentEngine contract`, { timeout: 30_000 }, () => {
    let engine: ConformanceEngine | undefined;
    let world: KitWorld;
    afterEach(async () => {
      await engine?.close();
      engine = undefined;
    });

    /** A started engine hosting `kit` (and `kit_other`), with the serializers their registration would add. */
    async function started(options: ConformanceEngineOptions = {}, lifecycle: AgentLifecycleOptions = {}): Promise<ConformanceEngine> {
      world = new KitWorld();
      const made = (engine = await makeEngine(options));
      made.registerMsgSerializer(kitSerializers());
      await made.registerAgentBuilder('kit', () => new KitAgent(world), lifecycle);
      await made.registerAgentBuilder('kit_other', () => new KitAgent(world), lifecycle);
      await made.start();
      return made;
    }

    const kit = (key = 'k'): AgentId => new AgentId('kit', key);
    const atOnce = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(AT_ONCE_MS) });

    it('resolves an RPC with the handler\'s value, an instance of the class the message declares', async () => {
      const e = await started();
      const answer = await e.sendMessage(new KitCommand('answer', 'x'), kit());
      expectTypeOf(answer).toEqualTypeOf<KitAnswer>();
      expect(answer).toBeInstanceOf(KitAnswer);
      expect(answer.shout()).toBe('K:X');
      expect(await e.sendMessage(new KitCommand('count'), kit())).toBe(1);
    });

    it('rejects an RPC with the handler\'s error, CantHandleError as itself, at once', async () => {
      const e = await started();
      await expect(e.sendMessage(new KitCommand('fail', 'x'), kit(), atOnce())).rejects.toThrow(/kit failure: x/);
      await expect(e.sendMessage(new KitCommand('nonsense'), kit(), atOnce())).rejects.toBeInstanceOf(CantHandleError);
      await expect(e.sendMessage('no handler takes a string', kit(), atOnce())).rejects.toBeInstanceOf(CantHandleError);
    });

    it('rejects a send to an agent type nobody registered with AgentNotFoundError at once', async () => {
      const e = await started();
      await expect(e.sendMessage(new KitCommand('answer'), new AgentId('kit_nobody', 'k'), atOnce())).rejects.toBeInstanceOf(AgentNotFoundError);
      await expect(e.get('kit_nobody')).rejects.toBeInstanceOf(AgentNotFoundError);
    });

    it('publishes to one agent per subscribed type, keyed by the channel\'s source, never back to the sender', async () => {
      const e = await started();
      await e.subscribe(new TypeSubscription('kit_news', 'kit'));
      await e.subscribe(new TypeSubscription('kit_news', 'kit_other'));
      await e.publishMessage(new KitNews('one'), new MessageChannel('kit_news', 's1'));
      await expect.poll(() => [...world.news].sort(), POLL).toEqual(['kit/s1 one', 'kit_other/s1 one']);
      await e.publishMessage(new KitNews('two'), new MessageChannel('kit_news', 's1'), { sender: new AgentId('kit', 's1') });
      await expect.poll(() => world.news.filter((line) => line.endsWith('two')), POLL).toEqual(['kit_other/s1 two']);
      await e.sendMessage(new KitCommand('answer'), kit('s1'));
      expect(world.news.filter((line) => line.endsWith('two'))).toEqual(['kit_other/s1 two']);
    });

    it('runs a serial agent\'s turns one at a time, and a call back into the running turn at once', async () => {
      const e = await started({}, { concurrency: 'serial' });
      const calls = [1, 2, 3, 4].map(() => e.sendMessage(new KitCommand('slow', '30'), kit()));
      expect((await Promise.all(calls)).map((answer) => answer.text)).toEqual(['slow', 'slow', 'slow', 'slow']);
      expect(world.maxRunning).toBe(1);
      const back = await e.sendMessage(new KitCommand('reenter', 'kit_other'), kit(), atOnce());
      expect(back).toMatchObject({ text: 'k:back' });
    });

    it('rejects a call whose signal aborts with CancelledError (the reason as cause) and cancels the handler\'s token', async () => {
      const e = await started();
      const controller = new AbortController();
      const call = e.sendMessage(new KitCommand('wait-for-cancel'), kit(), { signal: controller.signal });
      await expect.poll(() => world.started, POLL).toBe(1);
      const reason = new Error('the caller gave up');
      controller.abort(reason);
      const error = await call.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as Error).cause).toBe(reason);
      await expect.poll(() => world.handlerCancelled, POLL).toBe(true);
      const aborted = AbortSignal.abort(new Error('already'));
      await expect(e.sendMessage(new KitCommand('answer'), kit(), { signal: aborted })).rejects.toBeInstanceOf(CancelledError);
    });

    it.each(['stop', 'close'] as const)(
      '%s({ signal }): on abort a running handler\'s token is cancelled, its caller answered, and nothing half-done is saved',
      async (method) => {
        const store = new InMemoryStateStore();
        const e = await started({ stateStore: store }, { concurrency: 'serial', persistence: 'deactivate' });
        expect(await e.sendMessage(new KitCommand('count'), kit())).toBe(1);
        const stuck = e.sendMessage(new KitCommand('ignore-cancel'), kit()).catch((error: unknown) => error);
        await expect.poll(() => world.started, POLL).toBe(1);
        const controller = new AbortController();
        const stopped = method === 'stop' ? e.stop({ signal: controller.signal }) : e.close({ signal: controller.signal });
        controller.abort(new Error('shutdown deadline'));
        await stopped;
        // A close may end the engine's own wait for the answer first (a remote caller gets the cancellation).
        expect(await stuck).toBeInstanceOf(method === 'stop' ? CancelledError : Error);
        if (method === 'close') expect([CancelledError.name, EngineStoppedError.name]).toContain((await stuck as Error).name);
        expect(world.handlerCancelled).toBe(true);
        // Saved on deactivation only, and its handler never ended: the store holds none of its state.
        expect(JSON.stringify((await store.get(kit()))?.state ?? null)).not.toContain('"count"');
        // A close without a signal would wait for the handler that never ends.
        await e.close({ signal: controller.signal });
      },
    );

    it('runs interventions: send, publish and response replaced or dropped', async () => {
      class Rewriter extends DefaultInterventionHandler {
        override onSend(message: unknown): unknown {
          if (message instanceof KitCommand && message.op === 'drop') return DropMessage;
          return message instanceof KitCommand && message.op === 'rewrite' ? new KitCommand('answer', 'rewritten') : message;
        }
        override onPublish(message: unknown): unknown {
          return message instanceof KitNews && message.text === 'drop' ? DropMessage : message;
        }
        override onResponse(message: unknown): unknown {
          return message instanceof KitAnswer && message.text.endsWith(':respond') ? new KitAnswer('replaced') : message;
        }
      }
      const logger = new CollectingEventLogger();
      const e = await started({ interventionHandlers: [new Rewriter()], eventLogger: logger });
      expect((await e.sendMessage(new KitCommand('rewrite'), kit())).text).toBe('k:rewritten');
      expect((await e.sendMessage(new KitCommand('answer', 'respond'), kit())).text).toBe('replaced');
      await expect(e.sendMessage(new KitCommand('drop'), kit())).rejects.toBeInstanceOf(MessageDroppedError);
      await e.subscribe(new TypeSubscription('kit_news', 'kit'));
      await e.publishMessage(new KitNews('drop'), new MessageChannel('kit_news', 'k'));
      await e.publishMessage(new KitNews('after'), new MessageChannel('kit_news', 'k'));
      await expect.poll(() => world.news, POLL).toContain('kit/k after');
      expect(world.news).not.toContain('kit/k drop');
      expect(logger.events.filter((event) => event instanceof MessageDroppedEvent)).toHaveLength(2);
    });

    it('emits the engine\'s events: messages, activations, handler failures, published messages nobody handles', async () => {
      const logger = new CollectingEventLogger();
      const e = await started({ eventLogger: logger });
      await e.sendMessage(new KitCommand('answer'), kit());
      await e.sendMessage(new KitCommand('fail'), kit()).catch(() => undefined);
      await e.subscribe(new TypeSubscription('kit_news', 'kit'));
      await e.publishMessage(new KitNews('ignored here'), new MessageChannel('kit_news', 'k'));
      await e.publishMessage(new KitNews('nobody listens'), new MessageChannel('kit_silence', 'k'));
      const unhandled = (): UnhandledMessageEvent[] => logger.events.filter((event): event is UnhandledMessageEvent => event instanceof UnhandledMessageEvent);
      await expect.poll(() => unhandled().length, POLL).toBe(2);
      expect(unhandled().map((event) => event.handlingAgent?.toString() ?? null).sort()).toEqual(['kit/k', null]);
      expect(unhandled().every((event) => event.messageType === 'KitNews' && event.payload.includes('nobody listens') !== event.payload.includes('ignored here'))).toBe(true);
      expect(logger.events.some((event) => event instanceof AgentActivatedEvent && event.agentId.toString() === 'kit/k')).toBe(true);
      expect(logger.events.some((event) => event instanceof MessageHandlerExceptionEvent)).toBe(true);
      expect(logger.events.filter((event) => event instanceof MessageEvent).length).toBeGreaterThanOrEqual(4);
    });

    it('has an agent\'s state in the store when a send to it resolves, with persistence \'turn\'', async () => {
      const store = new InMemoryStateStore();
      const e = await started({ stateStore: store }, { concurrency: 'serial', persistence: 'turn' });
      for (let n = 1; n <= 3; n++) {
        expect(await e.sendMessage(new KitCommand('count'), kit())).toBe(n);
        expect(JSON.stringify((await store.get(kit()))?.state)).toContain(`"count":${n}`);
      }
    });
  });
}
