/** What the RPC scenarios need from an implementation: an echo round trip, and a way to stop. */
export interface RpcTarget {
  call(value: number): Promise<number>;
  close(): Promise<void>;
}

/** What the fan-out scenario needs: publish one message that reaches every subscribed handler. */
export interface FanOutTarget {
  /** Publishes `count` messages and resolves once every delivery of all of them has been handled. */
  publishBatch(count: number): Promise<void>;
  close(): Promise<void>;
}
