// A child process for the fault tests of the cluster plumbing: it owns slots of the type
// 'counter', and each message adds one to the counter of its agent, committed per turn through
// FencedState with the message id. It reports over IPC what it did.
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { AgentId } from '@agentopera/types';
import { ClusterNames } from '../cluster/cluster-names.js';
import { ClusterNode, type ClusterTimings, type Slot } from '../cluster/cluster-node.js';
import { Tenure, FencedOutError, FencedState } from '../cluster/fenced-state.js';
import { JetStreamPublisher } from '../cluster/jetstream-publisher.js';
import { ensureStreams } from '../cluster/topology.js';
import { NatsKvStateStore } from '../state/nats-kv-state-store.js';

const report = (event: Record<string, unknown>): void => {
  process.send?.(event);
};

const env = process.env;
const processId = `w${randomBytes(4).toString('hex')}`;
const names = new ClusterNames(env['CLUSTER']!);
const partitions = Number(env['PARTITIONS'] ?? 4);
const turnMs = Number(env['TURN_MS'] ?? 0);
const timings = JSON.parse(env['TIMINGS'] ?? '{}') as ClusterTimings;
// With HOLD_TURNS=1 every turn waits for a 'release' command before it goes on, so that a pause
// the test sends after seeing a turn begin surely falls inside it.
let release = (): void => {};
const held = env['HOLD_TURNS'] === '1' ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();

const nc = await connect({ servers: env['NATS_SERVER'], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
await ensureStreams(await jetstreamManager(nc), names, { ackWaitMs: timings.ackWaitMs });
const publisher = JetStreamPublisher.start(nc, names.pubAckWildcard(processId).slice(0, -2));
const fenced = new FencedState(await NatsKvStateStore.open(nc, { bucket: names.stateBucket }), processId);

const tenures = new Map<string, Promise<Tenure>>();
const queues = new Map<string, Promise<unknown>>();

async function turn(slot: Slot, msg: JsMsg, node: ClusterNode): Promise<'ack' | 'abandon'> {
  const key = msg.headers?.get('key') ?? '';
  const id = new AgentId('counter', key);
  const messageId = msg.headers?.get('Nats-Msg-Id') ?? '';
  let tenure = tenures.get(key);
  if (tenure === undefined) {
    tenure = fenced.activate(id, () => node.mayAct(slot));
    tenures.set(key, tenure);
    tenure.catch(() => tenures.delete(key));
  }
  const current = await tenure;
  if (current.hasProcessed(messageId)) return 'ack';
  report({ type: 'turn', key, messageId });
  await held;
  if (turnMs > 0) await new Promise((resolve) => setTimeout(resolve, turnMs));
  if (!node.mayAct(slot)) {
    report({ type: 'abandoned', key, messageId });
    return 'abandon';
  }
  const n = ((current.state?.['n'] as number | undefined) ?? 0) + 1;
  try {
    await fenced.commit(current, { n }, messageId);
  } catch (error) {
    if (error instanceof FencedOutError) {
      tenures.delete(key);
      report({ type: 'fenced', key, messageId, epoch: current.epoch });
      return 'abandon';
    }
    throw error;
  }
  report({ type: 'committed', key, messageId, n, epoch: current.epoch, at: Date.now() });
  return node.mayAct(slot) ? 'ack' : 'abandon';
}

const node: ClusterNode = await ClusterNode.start({
  nc,
  names,
  processId,
  partitions,
  timings,
  publisher,
  // One turn at a time per agent, as a serial agent.
  handle: (slot, msg) => {
    const key = msg.headers?.get('key') ?? '';
    const run = (queues.get(key) ?? Promise.resolve()).then(() => turn(slot, msg, node));
    queues.set(key, run.catch(() => {}));
    return run;
  },
  slotLost: (slot) => {
    report({ type: 'lost', slot: `${slot.type}/${slot.partition}` });
    tenures.clear();
  },
  slotReleasing: async () => {
    tenures.clear();
  },
  onError: (error) => report({ type: 'error', message: String(error) }),
});
await node.host('counter');
report({ type: 'ready', processId });

process.on('message', (command: { type: string }) => {
  if (command.type === 'release') release();
  if (command.type === 'stop') {
    void node.stop().then(async () => {
      report({ type: 'stopped' });
      await nc.drain();
      process.exit(0);
    });
  }
});
setInterval(() => report({ type: 'owned', slots: node.ownedSlots().length }), 200).unref();
