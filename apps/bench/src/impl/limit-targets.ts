import { AsyncLocalStorage } from 'node:async_hooks';
import { LimitDispatcher } from './limit-dispatcher.js';
import type { FanOutTarget, RpcTarget } from './rpc-target.js';

const echo = async (message: unknown): Promise<unknown> => message;

export function limitRpc(): RpcTarget {
  const dispatcher = new LimitDispatcher();
  return {
    call: (value) => dispatcher.send<number>(echo, value),
    close: async () => {},
  };
}

/**
 * The limit with each handler call inside `AsyncLocalStorage.run`, as the engine must do for
 * `MessageHandlerContext`: the bound an engine with that context can reach on this Node.
 */
export function limitRpcWithContext(): RpcTarget {
  const dispatcher = new LimitDispatcher();
  const storage = new AsyncLocalStorage<number>();
  const inContext = (message: unknown): Promise<unknown> => storage.run(1, echo, message);
  return {
    call: (value) => dispatcher.send<number>(inContext, value),
    close: async () => {},
  };
}

export function limitFanOut(subscribers: number): FanOutTarget {
  const dispatcher = new LimitDispatcher();
  let delivered = 0;
  const handlers = Array.from({ length: subscribers }, () => async (_message: unknown) => {
    delivered++;
  });
  return {
    publishBatch: async (count) => {
      const published: Promise<void>[] = [];
      for (let i = 0; i < count; i++) published.push(dispatcher.publish(handlers, i));
      await Promise.all(published);
      if (delivered < count * subscribers) throw new Error('lost deliveries');
      delivered = 0;
    },
    close: async () => {},
  };
}
