import { dispatch, query, spawn, start, stop, type Ref } from 'nact';
import { createActor, createMachine } from 'xstate';
import type { RpcTarget } from './rpc-target.js';

interface NactPing {
  readonly value: number;
  readonly sender: Ref<number> | null;
  readonly reply: ((value: number) => void) | null;
}

/**
 * nact's request/response: `query` with an echo actor that dispatches the value back. With many
 * queries outstanding nact loses replies: its temporary references get 32-bit random ids
 * (`(Math.random() * Number.MAX_SAFE_INTEGER) | 0` in nact/lib/references.js), which collide. So
 * with `outstanding` > 1 each call is a `dispatch` carrying a reply callback instead — the same
 * trip through the actor's mailbox, and cheaper than `query`, so it favours nact if anything.
 */
export function nactRpc(outstanding: number): RpcTarget {
  const system = start();
  const echo = spawn(system, (state: undefined, msg: NactPing) => {
    if (msg.reply !== null) msg.reply(msg.value);
    else if (msg.sender !== null) dispatch(msg.sender, msg.value);
    return state;
  }, 'echo');
  const call =
    outstanding > 1
      ? (value: number) => new Promise<number>((reply) => dispatch(echo, { value, sender: null, reply }))
      : (value: number) => query(echo, (sender: Ref<number>): NactPing => ({ value, sender, reply: null }), 60_000) as Promise<number>;
  return { call, close: async () => stop(system) };
}

interface XstatePing {
  readonly type: 'ping';
  readonly value: number;
  readonly reply: (value: number) => void;
}

/**
 * xstate v5 has no request/response primitive; the cheapest round trip is an event that carries its
 * reply callback, which an action calls.
 */
export function xstateRpc(): RpcTarget {
  const machine = createMachine({
    types: {} as { events: XstatePing },
    on: { ping: { actions: ({ event }) => event.reply(event.value) } },
  });
  const actor = createActor(machine).start();
  return {
    call: (value) => new Promise<number>((reply) => actor.send({ type: 'ping', value, reply })),
    close: async () => {
      actor.stop();
    },
  };
}
