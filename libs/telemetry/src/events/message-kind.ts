/** How a message travels: a direct send (RPC), a publish to a channel, or the response to a send. */
export enum MessageKind {
  DIRECT = 'direct',
  PUBLISH = 'publish',
  RESPOND = 'respond',
}
