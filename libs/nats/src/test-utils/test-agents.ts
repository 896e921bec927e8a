// Agents for the NATS engine's tests, used in worker processes and in the test process alike.
import { RoutedAgent, event, rpc } from '@agentopera/agents';
import { ClassJsonMessageSerializer } from '@agentopera/serialization';
import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, type AgentEngine, type AgentState, type MessageContext } from '@agentopera/types';

export class Increment {
  constructor(public by = 1) {}
}
export class Get {}
export class Bump {}
export class Ping {
  constructor(public text = '') {}
}
export class Start {
  constructor(public partner = '') {}
}
export class Bounce {
  constructor(public back = '') {}
}
export class Query {}
export class Poison {}
export class Wait {
  constructor(public ms = 0) {}
}

export const TEST_MESSAGES = [Increment, Get, Bump, Ping, Start, Bounce, Query, Poison, Wait];

/** One handler run, reported so tests can check that turns of one agent never overlap. */
export interface TurnReport {
  readonly agent: string;
  readonly processId: string;
  readonly messageId: string;
  readonly start: number;
  readonly end: number;
  readonly n: number;
}

export interface TestAgentOptions {
  readonly processId: string;
  /** How long each counter turn takes (to make overlaps and pauses likely). */
  readonly turnMs?: number;
  readonly onTurn?: (turn: TurnReport) => void;
  /** Called when a counter turn begins (so a test can act inside a running turn). */
  readonly onTurnStart?: (agent: string, messageId: string) => void;
  /** Called when an agent instance is built in this process. */
  readonly onBuild?: (agent: string) => void;
  /** Called when a `Wait` handler starts, and when its token is cancelled. */
  readonly onWait?: (what: 'waiting' | 'cancelled') => void;
}

/** Registers the serializers of the test messages (what a process that only sends needs). */
export function registerTestSerializers(engine: { registerMsgSerializer(s: ClassJsonMessageSerializer<object>[]): void }): void {
  engine.registerMsgSerializer(TEST_MESSAGES.map((cls) => new ClassJsonMessageSerializer(cls)));
}

/**
 * Registers `counter` (serial, state saved every turn; counts Increments and Bumps, the latter
 * published on channel type `bumps`), `echo` (concurrent, stateless), `pingpong` and `bouncer`
 * (a serial agent called back from inside its own turn by an agent of another type), and
 * `poison` (its handler always fails).
 */
export async function registerTestAgents(engine: AgentEngine, options: TestAgentOptions): Promise<void> {
  const { processId, turnMs = 0, onTurn, onTurnStart, onBuild, onWait } = options;

  class Counter extends RoutedAgent {
    n = 0;
    constructor() {
      super('counts');
      onBuild?.(this.id.toString());
    }
    private async turn(messageId: string, add: number): Promise<number> {
      const start = Date.now();
      onTurnStart?.(this.id.toString(), messageId);
      if (turnMs > 0) await new Promise((resolve) => setTimeout(resolve, turnMs));
      this.n += add;
      onTurn?.({ agent: this.id.toString(), processId, messageId, start, end: Date.now(), n: this.n });
      return this.n;
    }
    @rpc(Increment)
    async increment(message: Increment, ctx: MessageContext): Promise<number> {
      return this.turn(ctx.messageId, message.by);
    }
    @event(Bump)
    async bump(_message: Bump, ctx: MessageContext): Promise<void> {
      await this.turn(ctx.messageId, 1);
    }
    @rpc(Get)
    async get(): Promise<number> {
      return this.n;
    }
    override async saveState(): Promise<AgentState> {
      return { n: this.n };
    }
    override async loadState(state: AgentState): Promise<void> {
      this.n = Number(state['n'] ?? 0);
    }
  }

  class Echo extends RoutedAgent {
    constructor() {
      super('echo');
    }
    @rpc(Ping)
    async ping(message: Ping): Promise<{ echo: string; processId: string; key: string }> {
      return { echo: message.text, processId, key: this.id.key };
    }
    @rpc(Wait)
    async wait(message: Wait, ctx: MessageContext): Promise<string> {
      onWait?.('waiting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, message.ms);
        ctx.cancellationToken.addCallback(() => {
          clearTimeout(timer);
          onWait?.('cancelled');
          resolve();
        });
      });
      return ctx.cancellationToken.isCancelled() ? 'cancelled' : 'waited';
    }
  }

  class PingPong extends RoutedAgent {
    constructor() {
      super('calls a bouncer, which calls back');
    }
    @rpc(Start)
    async start(message: Start): Promise<string> {
      return this.sendMessage<string>(new Bounce(this.id.key), new AgentId('bouncer', message.partner));
    }
    @rpc(Query)
    async query(): Promise<string> {
      return `answered inside the turn by ${processId}`;
    }
  }

  class Bouncer extends RoutedAgent {
    constructor() {
      super('calls back');
    }
    @rpc(Bounce)
    async bounce(message: Bounce): Promise<string> {
      return this.sendMessage<string>(new Query(), new AgentId('pingpong', message.back));
    }
  }

  class PoisonAgent extends RoutedAgent {
    constructor() {
      super('always fails');
    }
    @event(Poison)
    async poison(): Promise<void> {
      throw new Error('this handler fails on every delivery');
    }
  }

  await Counter.register(engine, 'counter', () => new Counter(), { concurrency: 'serial', persistence: 'turn' });
  await Echo.register(engine, 'echo', () => new Echo());
  await PingPong.register(engine, 'pingpong', () => new PingPong(), { concurrency: 'serial', persistence: 'none' });
  await Bouncer.register(engine, 'bouncer', () => new Bouncer(), { concurrency: 'serial', persistence: 'none' });
  await PoisonAgent.register(engine, 'poison', () => new PoisonAgent(), { persistence: 'none' });
}

/** The subscriptions the tests publish through (made once, from any process). */
export function testSubscriptions(): TypeSubscription[] {
  return [new TypeSubscription('bumps', 'counter', 'bumps-to-counter'), new TypeSubscription('poison', 'poison', 'poison-sub')];
}
