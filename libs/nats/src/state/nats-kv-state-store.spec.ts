import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { AgentId } from '@agentopera/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, RESTART_SKIP_NOTE, type NatsTestServer } from '../test-utils/nats-server.js';
import { uniqueName } from '../test-utils/names.js';
import { nextReconnect } from '../test-utils/connections.js';
import { CorruptStateError, StateConflictError } from '@agentopera/state';
import { describeStateStoreConformance } from '@agentopera/state/testing';
import { NatsKvStateStore } from './nats-kv-state-store.js';

let server: NatsTestServer;
let nc: NatsConnection;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
});
afterAll(async () => {
  await nc?.close();
  await server?.close();
});

// Each conformance case gets a bucket of its own on this file's server.
describeStateStoreConformance('NatsKvStateStore', () => NatsKvStateStore.open(nc, { bucket: uniqueName('conformance') }));

describe('NatsKvStateStore', () => {
  const open = () => NatsKvStateStore.open(nc, { bucket: uniqueName('state') });

  it('versions are KV revisions; null creates only, a version updates only that version', async () => {
    const store = await open();
    const id = new AgentId('counter', 'a');
    const v1 = await store.set(id, { n: 1 }, { expectedVersion: null });
    await expect(store.set(id, { n: 9 }, { expectedVersion: null })).rejects.toMatchObject({
      name: 'StateConflictError', code: 'STATE_CONFLICT', expected: null, actual: v1,
    });
    const v2 = await store.set(id, { n: 2 }, { expectedVersion: v1 });
    expect(Number(v2)).toBeGreaterThan(Number(v1));
    const stale = store.set(id, { n: 3 }, { expectedVersion: v1 });
    await expect(stale).rejects.toBeInstanceOf(StateConflictError);
    await expect(stale).rejects.toMatchObject({ expected: v1, actual: v2 });
    await expect(store.set(id, { n: 3 }, { expectedVersion: 'not-a-version' })).rejects.toMatchObject({ actual: v2 });
    expect(await store.get(id)).toEqual({ state: { n: 2 }, version: v2 });
  });

  it('a deleted entry is absent, can be created again, and never reuses a version', async () => {
    const store = await open();
    const id = new AgentId('t', 'k');
    const v1 = await store.set(id, { a: 1 });
    await expect(store.delete(id, { expectedVersion: '999999' })).rejects.toMatchObject({ actual: v1 });
    expect(await store.delete(id, { expectedVersion: v1 })).toBe(true);
    expect(await store.get(id)).toBeUndefined();
    expect(await store.delete(id)).toBe(false);
    await expect(store.set(id, { a: 2 }, { expectedVersion: v1 })).rejects.toMatchObject({ actual: null });
    const v2 = await store.set(id, { a: 2 }, { expectedVersion: null });
    expect(v2).not.toBe(v1);
    expect((await store.get(id))?.state).toEqual({ a: 2 });
  });

  it('gives hostile ids distinct entries, long keys included', async () => {
    const store = await open();
    const keys = ['', '.', '*', '>', 'a.b', 'a b', 'a/b', '..', '../../x', 'ключ', '😀', '\ud800', 'x'.repeat(1000), 'x'.repeat(999) + 'y'];
    const ids = [...keys.map((key) => new AgentId('t', key)), new AgentId('t.x', 'y'), new AgentId('t', 'x.y')];
    await Promise.all(ids.map((id, index) => store.set(id, { index })));
    for (const [index, id] of ids.entries()) expect((await store.get(id))?.state).toEqual({ index });
    expect(new Set(ids.map(NatsKvStateStore.keyOf)).size).toBe(ids.length);
  });

  it('returns copies and stores a snapshot of what it was given', async () => {
    const store = await open();
    const id = new AgentId('t', 'copy');
    const state = { list: [1] };
    await store.set(id, state);
    state.list.push(2);
    const read = await store.get(id);
    (read!.state['list'] as number[]).push(3);
    expect((await store.get(id))?.state).toEqual({ list: [1] });
  });

  it('refuses an entry that is not its own', async () => {
    const bucket = uniqueName('state');
    const store = await NatsKvStateStore.open(nc, { bucket });
    const kv = await new Kvm(nc).open(bucket);
    const id = new AgentId('t', 'forged');
    await kv.put(NatsKvStateStore.keyOf(id), JSON.stringify({ id: 't/other', state: {} }));
    await expect(store.get(id)).rejects.toBeInstanceOf(CorruptStateError);
    await kv.put(NatsKvStateStore.keyOf(id), '{not json');
    await expect(store.get(id)).rejects.toThrow(/not JSON/);
  });

  it('keeps committed state across a server kill -9 and restart', async (ctx) => {
    if (!server.canRestart) ctx.skip(RESTART_SKIP_NOTE);
    const store = await open();
    const id = new AgentId('t', 'durable');
    const version = await store.set(id, { kept: true });
    const reconnected = nextReconnect(nc);
    await server.kill();
    await server.restart();
    await reconnected;
    expect(await store.get(id)).toEqual({ state: { kept: true }, version });
  });
});
