import { CantHandleError, type MessageContext } from '@agentopera/types';
import { BaseAgent } from './base-agent.js';
import { messageTypeName } from './message-type-name.js';
import { routeTableFor, type RouteTable } from './route-table.js';

/**
 * An agent that routes each message to a method decorated with `@messageHandler()`, `@event()`
 * or `@rpc()` by the message's class, then by the handler's `match`. The first applicable handler
 * wins: the subclass's before inherited ones, each class's in declaration order. Messages no
 * handler takes go to `onUnhandledMessage`.
 */
export abstract class RoutedAgent extends BaseAgent {
  #routes: RouteTable | undefined;

  protected override async onMessageImpl(message: unknown, ctx: MessageContext): Promise<unknown> {
    const routes = (this.#routes ??= routeTableFor(this.constructor as typeof RoutedAgent));
    for (const route of routes.candidates(message, ctx.isRpc)) {
      if (route.match === undefined || route.match(message, ctx)) return route.method.call(this, message, ctx);
    }
    return this.onUnhandledMessage(message, ctx);
  }

  /**
   * Called for a message no handler accepts. The default rejects an RPC with `CantHandleError`
   * (so the sender learns it) and ignores a published message (the engine logs it).
   */
  protected async onUnhandledMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    if (ctx.isRpc) {
      throw new CantHandleError(
        `Agent ${this.id.toString()} (${this.constructor.name}) has no handler for RPC message of type ${messageTypeName(message)}`,
      );
    }
    return undefined;
  }
}
