import { AgentId } from '@agentopera/types';
import { InMemoryStateStore, type StateStore } from '@agentopera/state';
import { describe, expect, it } from 'vitest';
import { useNats } from '../test-utils/nats-fixture.js';
import { uniqueName } from '../test-utils/names.js';
import { NatsKvStateStore } from '../state/nats-kv-state-store.js';
import { FencedOutError, FencedState } from './fenced-state.js';

describe('FencedState', () => {
  const nats = useNats();
  const id = new AgentId('counter', 'a.b *');

  it('a newer activation on another process fences the older one out of every commit', async () => {
    const store = await NatsKvStateStore.open(nats.nc, { bucket: uniqueName('state') });
    const p1 = new FencedState(store, 'p1');
    const p2 = new FencedState(store, 'p2');
    const first = await p1.activate(id);
    expect(first).toMatchObject({ epoch: 1, state: undefined });
    await p1.commit(first, { n: 1 }, 'm1');
    const second = await p2.activate(id);
    expect(second).toMatchObject({ epoch: 2, state: { n: 1 } });
    const stale = p1.commit(first, { n: 99 }, 'm2');
    await expect(stale).rejects.toBeInstanceOf(FencedOutError);
    await expect(stale).rejects.toMatchObject({ name: 'FencedOutError', code: 'FENCED_OUT', epoch: 1 });
    await p2.commit(second, { n: 2 }, 'm2');
    expect(await p2.read(id)).toEqual({ fence: { epoch: 2, owner: 'p2', processed: ['m1', 'm2'], sequences: [0, 0] }, state: { n: 2 } });
  });

  it('after a commit that failed without a conflict, the next one reads back which write landed: ours goes on, a takeover fences', async () => {
    const inner = new InMemoryStateStore();
    let failNext: 'before' | 'after' | undefined;
    // A store whose set can fail before writing, or after (a timeout that hides a commit).
    const store: StateStore = {
      get: (agent) => inner.get(agent),
      delete: (agent, options) => inner.delete(agent, options),
      async set(agent, state, options) {
        const mode = failNext;
        failNext = undefined;
        if (mode === 'before') throw new Error('the broker is down');
        const version = await inner.set(agent, state, options);
        if (mode === 'after') throw new Error('no answer in time');
        return version;
      },
    };
    const p1 = new FencedState(store, 'p1');
    const a = await p1.activate(id);
    failNext = 'after';
    await expect(p1.commit(a, { n: 1 }, 'm1')).rejects.toThrow('no answer in time');
    failNext = 'before';
    await expect(p1.commit(a, { n: 2 }, 'm2')).rejects.toThrow('the broker is down');
    await p1.commit(a, { n: 3 }, 'm3');
    expect(await p1.read(id)).toEqual({ fence: { epoch: 1, owner: 'p1', processed: ['m1', 'm3'], sequences: [0, 0] }, state: { n: 3 } });

    failNext = 'before';
    await expect(p1.commit(a, { n: 4 }, 'm4')).rejects.toThrow('the broker is down');
    await new FencedState(store, 'p2').activate(id);
    await expect(p1.commit(a, { n: 5 }, 'm5')).rejects.toBeInstanceOf(FencedOutError);
  });

  it('never commits a turn of a message id it already committed: the copy is refused and nothing is written', async () => {
    const store = new InMemoryStateStore();
    const p1 = new FencedState(store, 'p1');
    const a = await p1.activate(id);
    await p1.commit(a, { n: 1 }, 'm1');
    await expect(p1.commit(a, { n: 2 }, 'm1')).rejects.toMatchObject({ name: 'DuplicateMessageError', code: 'DUPLICATE_MESSAGE' });
    expect((await p1.read(id))?.state).toEqual({ n: 1 });
    await p1.commit(a, { n: 2 }, 'm2');
    expect((await p1.read(id))?.state).toEqual({ n: 2 });
  });

  it('keeps a committed id past the ring\'s size while its message may come again (above the ack floor), within a hard cap', async () => {
    const store = new InMemoryStateStore();
    const p1 = new FencedState(store, 'p1', 3);
    const a = await p1.activate(id);
    // m1's ack was lost: the ack floor stays below it while m2…m6 commit (a backlog behind it).
    for (let seq = 1; seq <= 6; seq++) await p1.commit(a, { n: seq }, `m${seq}`, { seq, ackFloor: 0 });
    // Before: a ring of the last 3 ids had forgotten m1, and its redelivery was applied again.
    expect(a.hasProcessed('m1')).toBe(true);
    const p2 = new FencedState(store, 'p2', 3);
    const moved = await p2.activate(id);
    expect(moved.hasProcessed('m1')).toBe(true);
    // Once the floor passes m1…m3, only the ring's size is kept.
    await p2.commit(moved, { n: 7 }, 'm7', { seq: 7, ackFloor: 3 });
    expect(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'].map((m) => moved.hasProcessed(m))).toEqual([false, false, false, true, true, true, true]);
    // A floor that never moves: the hard cap (8 × the ring) bounds what is kept.
    for (let seq = 8; seq <= 40; seq++) await p2.commit(moved, { n: seq }, `m${seq}`, { seq, ackFloor: 3 });
    expect(moved.hasProcessed('m16')).toBe(false);
    expect(moved.hasProcessed('m17')).toBe(true);
  });

  it('remembers committed message ids with the state, so a redelivery is recognised after a move', async () => {
    const store = new InMemoryStateStore();
    const p1 = new FencedState(store, 'p1', 3);
    const a = await p1.activate(id);
    for (const m of ['m1', 'm2', 'm3', 'm4']) await p1.commit(a, { last: m }, m);
    expect(a.hasProcessed('m4')).toBe(true);
    const moved = await new FencedState(store, 'p2', 3).activate(id);
    expect(['m1', 'm2', 'm3', 'm4'].map((m) => moved.hasProcessed(m))).toEqual([false, true, true, true]);
  });

  it('one of two racing activations wins each round; the loser is fenced', async () => {
    const store = await NatsKvStateStore.open(nats.nc, { bucket: uniqueName('state') });
    const [x, y] = await Promise.all([new FencedState(store, 'x').activate(id), new FencedState(store, 'y').activate(id)]);
    expect(new Set([x.epoch, y.epoch])).toEqual(new Set([1, 2]));
    const [older, newer] = x.epoch < y.epoch ? [x, y] : [y, x];
    await expect(new FencedState(store, 'any').commit(older, { n: 1 })).rejects.toBeInstanceOf(FencedOutError);
    await new FencedState(store, 'any').commit(newer, { n: 1 });
  });

  it('takes a state saved without fencing as epoch 0, and refuses to activate for a process that lost its lease', async () => {
    const store = new InMemoryStateStore();
    await store.set(id, { legacy: true });
    const activation = await new FencedState(store, 'p').activate(id);
    expect(activation).toMatchObject({ epoch: 1, state: { legacy: true } });
    await expect(new FencedState(store, 'q').activate(id, () => false)).rejects.toBeInstanceOf(FencedOutError);
  });
});
