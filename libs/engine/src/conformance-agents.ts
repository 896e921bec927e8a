import { ClassJsonMessageSerializer } from '@agentopera/serialization';
import {
  AgentId,
  AgentInstantiationContext,
  CancelledError,
  CantHandleError,
  NotHandled,
  ResponseClass,
  ResponseType,
  type Agent,
  type AgentEngine,
  type AgentMetadata,
  type AgentState,
  type MessageContext,
} from '@agentopera/types';

// The conformance kit's agents and messages: hand-written `Agent`s (the engine does not depend on
// @agentopera/agents) over message classes, as an application's would be.

/** An RPC's answer: a class with a method, so a plain object in its place shows. */
export class KitAnswer {
  constructor(public text = '') {}
  shout(): string {
    return this.text.toUpperCase();
  }
}

/** A command to a kit agent; its class declares its response class for engines whose replies cross processes. */
export class KitCommand {
  declare readonly [ResponseType]?: KitAnswer;
  static readonly [ResponseClass] = KitAnswer;
  constructor(
    public op = '',
    public arg = '',
  ) {}
}

/** A published message. */
export class KitNews {
  constructor(public text = '') {}
}

/** What the kit's agents did, shared by one test's agents and the test. */
export class KitWorld {
  readonly news: string[] = [];
  running = 0;
  maxRunning = 0;
  started = 0;
  handlerCancelled = false;
}

/** The serializers an application's registration of the kit's agents would add (a host registers what it handles). */
export const kitSerializers = (): ClassJsonMessageSerializer<object>[] => [new ClassJsonMessageSerializer(KitCommand), new ClassJsonMessageSerializer(KitNews)];

/** The kit's agent: answers `KitCommand`s, records `KitNews`, and has no handler for anything else. */
export class KitAgent implements Agent {
  id!: AgentId;
  engine!: AgentEngine;
  count = 0;

  constructor(private readonly world: KitWorld) {
    if (AgentInstantiationContext.isInFactoryCall()) {
      this.id = AgentInstantiationContext.currentAgentId();
      this.engine = AgentInstantiationContext.currentEngine();
    }
  }

  get metadata(): AgentMetadata {
    return { type: this.id.type, key: this.id.key, description: 'conformance kit agent' };
  }

  bindIdAndEngine(id: AgentId, engine: AgentEngine): void {
    this.id = id;
    this.engine = engine;
  }

  async onMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    if (message instanceof KitNews) {
      if (message.text.startsWith('ignored')) return NotHandled;
      this.world.news.push(`${this.id.toString()} ${message.text}`);
      return undefined;
    }
    if (!(message instanceof KitCommand)) {
      if (!ctx.isRpc) return NotHandled;
      throw new CantHandleError(`${this.id.toString()} has no handler for ${typeof message}`);
    }
    return this.command(message, ctx);
  }

  private async command(message: KitCommand, ctx: MessageContext): Promise<unknown> {
    const world = this.world;
    switch (message.op) {
      case 'answer':
        return new KitAnswer(`${this.id.key}:${message.arg}`);
      case 'fail':
        throw new Error(`kit failure: ${message.arg}`);
      case 'count':
        this.count++;
        return this.count;
      case 'slow': {
        world.running++;
        world.maxRunning = Math.max(world.maxRunning, world.running);
        await new Promise((resolve) => setTimeout(resolve, Number(message.arg)));
        world.running--;
        return new KitAnswer('slow');
      }
      case 'wait-for-cancel':
        world.started++;
        await new Promise<void>((resolve) => ctx.cancellationToken.addCallback(() => resolve()));
        world.handlerCancelled = true;
        throw new CancelledError('the handler saw the cancellation');
      case 'ignore-cancel':
        // A handler that never ends, whatever its token says: what a stop's signal must bound.
        world.started++;
        ctx.cancellationToken.addCallback(() => (world.handlerCancelled = true));
        return new Promise<never>(() => undefined);
      case 'reenter':
        // A → other → A while A's turn runs: the call back must run at once, not deadlock.
        return this.engine.sendMessage(new KitCommand('call-back', this.id.toString()), new AgentId(message.arg, this.id.key), { sender: this.id });
      case 'call-back':
        return this.engine.sendMessage(new KitCommand('answer', 'back'), AgentId.fromStr(message.arg), { sender: this.id });
      default:
        throw new CantHandleError(`unknown kit command ${JSON.stringify(message.op)}`);
    }
  }

  async saveState(): Promise<AgentState> {
    return { count: this.count };
  }

  async loadState(state: AgentState): Promise<void> {
    this.count = typeof state['count'] === 'number' ? state['count'] : 0;
  }

  async close(): Promise<void> {}
}
