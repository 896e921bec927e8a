import { CantHandleError, NotHandled, type MessageContext } from '@agentopera/types';
import { BaseAgent } from './base-agent.js';
import { messageTypeName } from './message-type-name.js';
import { routeTableFor, type Route, type RouteTable } from './route-table.js';

/**
 * An agent that routes each message to a method declared with `@messageHandler(Foo)`,
 * `@event(Foo)` or `@rpc(Foo)` (or with `defineHandlers`) by the message's class, then by the
 * handler's `match`. The first applicable handler wins: the subclass's before inherited ones, each
 * class's in declaration order. Messages no handler takes go to `onUnhandledMessage`.
 */
export abstract class RoutedAgent extends BaseAgent {
  #routes: RouteTable | undefined;

  #routeFor(message: unknown, ctx: MessageContext): Route | undefined {
    const routes = (this.#routes ??= routeTableFor(this.constructor as typeof RoutedAgent));
    for (const route of routes.candidates(message, ctx.isRpc)) {
      if (route.match === undefined || route.match(message, ctx)) return route;
    }
    return undefined;
  }

  protected override async onMessageImpl(message: unknown, ctx: MessageContext): Promise<unknown> {
    const route = this.#routeFor(message, ctx);
    return route === undefined ? this.onUnhandledMessage(message, ctx) : route.method.call(this, message, ctx);
  }

  /**
   * Whether the handler `message` would be routed to was declared with `interleave: true` (it may
   * run while another handler of this agent runs). Looks the route up, running `match`
   * functions but no handler; `false` at once when no handler of the class interleaves.
   */
  isInterleaving(message: unknown, ctx: MessageContext): boolean {
    const routes = (this.#routes ??= routeTableFor(this.constructor as typeof RoutedAgent));
    return routes.hasInterleaving && this.#routeFor(message, ctx)?.interleave === true;
  }

  /**
   * Called for a message no handler accepts. The default rejects an RPC with `CantHandleError`
   * (so the sender learns it) and resolves a published message to `NotHandled`, which the
   * engine reports as an `UnhandledMessageEvent`. An override that returns anything else
   * counts as having handled the message.
   */
  protected async onUnhandledMessage(message: unknown, ctx: MessageContext): Promise<unknown> {
    if (ctx.isRpc) {
      throw new CantHandleError(
        `Agent ${this.id.toString()} (${this.constructor.name}) has no handler for RPC message of type ${messageTypeName(message)}`,
      );
    }
    return NotHandled;
  }
}
