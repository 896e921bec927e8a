import { AsyncResource } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { AgentId } from './agent-id.js';
import type { AgentEngine } from './agent-engine.js';
import { AgentInstantiationContext } from './agent-instantiation-context.js';
import type { CallChain } from './context-storage.js';
import { AgentOperaError, CantHandleError, EngineStoppedError } from './errors.js';
import { MessageHandlerContext, OutsideContextError } from './message-handler-context.js';

describe('MessageHandlerContext', () => {
  it('throws a clear error outside a handler', () => {
    expect(() => MessageHandlerContext.agentId()).toThrow(OutsideContextError);
    expect(() => MessageHandlerContext.agentId()).toThrow(/outside a message handler/);
    expect(MessageHandlerContext.tryAgentId()).toBeUndefined();
  });

  it('keeps each concurrent handler its own agent id across awaits', async () => {
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((key) =>
        MessageHandlerContext.populateContext(new AgentId('t', key), async () => {
          await new Promise((resolve) => setTimeout(resolve, key === 'a' ? 5 : 0));
          return MessageHandlerContext.agentId().key;
        }),
      ),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('enters a chained context from a captured scope: own id and chain across awaits, the caller untouched', async () => {
    const scope = new AsyncResource('test'); // captured here, outside any handler
    const links: CallChain[] = [{ next: undefined }, { next: undefined }];
    const seen = await Promise.all(
      links.map((link, n) =>
        MessageHandlerContext.populateChainedContextFrom(
          scope,
          new AgentId('t', `k${n}`),
          link,
          async (arg: number) => {
            await new Promise((resolve) => setTimeout(resolve, n === 0 ? 5 : 0));
            return [MessageHandlerContext.agentId().key, MessageHandlerContext.currentCallChain() === link, arg];
          },
          n,
        ),
      ),
    );
    expect(seen).toEqual([['k0', true, 0], ['k1', true, 1]]);
    expect(MessageHandlerContext.tryAgentId()).toBeUndefined();
    expect(() =>
      MessageHandlerContext.populateChainedContextFrom(scope, new AgentId('t', 'k'), links[0], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(MessageHandlerContext.currentCallChain()).toBeUndefined();
    // Re-entered later, the scope is as it was captured: no chain left behind in it.
    expect(scope.runInAsyncScope(() => MessageHandlerContext.currentCallChain())).toBeUndefined();
  });
});

describe('AgentInstantiationContext', () => {
  it('gives the engine and id inside a builder and throws outside', async () => {
    const engine = {} as AgentEngine;
    const id = new AgentId('t', 'k');
    const [seenEngine, seenId] = await AgentInstantiationContext.populateContext(engine, id, async () => {
      await Promise.resolve();
      return [AgentInstantiationContext.currentEngine(), AgentInstantiationContext.currentAgentId()] as const;
    });
    expect(seenEngine).toBe(engine);
    expect(seenId).toBe(id);
    expect(AgentInstantiationContext.isInFactoryCall()).toBe(false);
    expect(() => AgentInstantiationContext.currentEngine()).toThrow(/outside an agent builder/);
  });
});

describe('errors', () => {
  it('are AgentOperaErrors named after their class', () => {
    const error = new CantHandleError('nope');
    expect(error).toBeInstanceOf(AgentOperaError);
    expect(error.name).toBe('CantHandleError');
    expect(new EngineStoppedError('x').name).toBe('EngineStoppedError');
  });
});
