/**
 * What `Agent.onMessage` resolves to for a published message that no handler accepted.
 * `RoutedAgent`'s default `onUnhandledMessage` returns it; the engine then reports an
 * `UnhandledMessageEvent` to its event logger instead of treating the delivery as handled. (An
 * RPC nobody handles rejects with `CantHandleError` instead, so its caller learns it.)
 */
export const NotHandled: unique symbol = Symbol.for('agentopera.NotHandled');
export type NotHandled = typeof NotHandled;
