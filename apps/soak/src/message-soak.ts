import { AgentId, LocalAgentEngine, MessageChannel, TypeSubscription } from '@agentopera/core';
import { activeResources, formatResources, leakedResources } from './active-resources.js';
import { mib, settledHeapBytes } from './heap.js';
import { SoakAgent } from './soak-agent.js';

/** Allowed heap growth from the warmed-up start (all agents built) to the end. */
const HEAP_TOLERANCE = 8 * 1024 * 1024;

/** What the message soak is asked to do. */
export interface MessageSoakOptions {
  readonly messages: number;
  readonly agents: number;
  readonly batch: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runBatch(engine: LocalAgentEngine, agents: number, start: number, size: number): Promise<number> {
  const replies: Promise<unknown>[] = [];
  for (let i = start; i < start + size; i++) {
    const key = `w${(i >> 1) % agents}`; // each agent gets RPCs and published messages
    if (i % 2 === 0) replies.push(engine.sendMessage(i, new AgentId('worker', key)));
    else replies.push(engine.publishMessage(i, new MessageChannel('soak', key)));
  }
  let sum = 0;
  for (const reply of await Promise.all(replies)) if (typeof reply === 'number') sum += reply;
  return sum;
}

/**
 * Pushes `messages` messages (half RPC, half published) through one engine with `agents` agents,
 * in batches, and fails (exit code 1) when the heap after a forced GC grows beyond HEAP_TOLERANCE,
 * when timers or handles are left behind, or when any message is lost.
 */
export async function runMessageSoak({ messages: total, agents, batch }: MessageSoakOptions): Promise<number> {
  console.log(`soak: ${total.toLocaleString('en')} messages (RPC + publish), ${agents} agents, batches of ${batch}`);
  // stdout/stderr open their handles lazily; open both now so they do not count as leaks.
  void process.stderr.writable;
  const resourcesBefore = activeResources();
  const engine = new LocalAgentEngine();
  await engine.registerAgentBuilder('worker', () => new SoakAgent());
  await engine.subscribe(new TypeSubscription('soak', 'worker'));
  engine.start();

  const heapCold = settledHeapBytes();
  // Warm-up: one message to every agent, so the baseline includes all of them.
  let sent = 0;
  let expectedSum = 0;
  let sum = 0;
  const warm = Math.min(total, Math.max(batch, agents * 2));
  sum += await runBatch(engine, agents, 0, warm);
  sent = warm;
  for (let i = 0; i < warm; i += 2) expectedSum += i;
  await nextTurn();
  const heapStart = settledHeapBytes();
  let heapMiddle: number | undefined;
  const started = process.hrtime.bigint();
  const progressEvery = Math.max(batch, Math.floor(total / 10 / batch) * batch);
  let nextProgress = progressEvery;

  while (sent < total) {
    const size = Math.min(batch, total - sent);
    sum += await runBatch(engine, agents, sent, size);
    for (let i = sent + (sent % 2); i < sent + size; i += 2) expectedSum += i;
    sent += size;
    if (sent >= nextProgress || sent === total) {
      nextProgress += progressEvery;
      await nextTurn();
      const heap = settledHeapBytes();
      if (heapMiddle === undefined && sent >= total / 2) heapMiddle = heap;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `  ${sent.toLocaleString('en').padStart(12)} messages  ${seconds.toFixed(1).padStart(6)} s  ` +
          `${Math.round((sent - warm) / seconds).toLocaleString('en').padStart(10)} msg/s  heap ${mib(heap)}`,
      );
    }
  }
  await engine.stopWhenIdle();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await engine.close();
  await nextTurn();
  const heapEnd = settledHeapBytes();
  const resourcesAfter = activeResources();

  const rpcs = Math.ceil(total / 2);
  const published = total - rpcs;
  const failures: string[] = [];
  if (SoakAgent.rpcs !== rpcs || sum !== expectedSum) failures.push(`RPC: ${SoakAgent.rpcs} handled of ${rpcs}, reply sum ${sum} (expected ${expectedSum})`);
  if (SoakAgent.published !== published) failures.push(`publish: ${SoakAgent.published} delivered of ${published}`);
  if (SoakAgent.instances > agents) failures.push(`${SoakAgent.instances} agents built for ${agents} ids (some twice)`);
  const growth = heapEnd - heapStart;
  if (growth > HEAP_TOLERANCE) failures.push(`heap grew by ${mib(growth)} (tolerance ${mib(HEAP_TOLERANCE)})`);
  const leaked = leakedResources(resourcesBefore, resourcesAfter);
  if (leaked.size > 0) failures.push(`resources left behind: ${formatResources(leaked)}`);

  console.log(`done: ${total.toLocaleString('en')} messages in ${seconds.toFixed(1)} s (${Math.round((total - warm) / seconds).toLocaleString('en')} msg/s after warm-up)`);
  console.log(`  delivered: ${SoakAgent.rpcs.toLocaleString('en')} RPC replies, ${SoakAgent.published.toLocaleString('en')} published, ${SoakAgent.instances} agents built`);
  console.log(`  heap after forced GC: cold ${mib(heapCold)}, start ${mib(heapStart)}, middle ${mib(heapMiddle ?? heapStart)}, end ${mib(heapEnd)} (growth ${mib(growth)}, tolerance ${mib(HEAP_TOLERANCE)})`);
  console.log(`  active resources: before [${formatResources(resourcesBefore)}], after [${formatResources(resourcesAfter)}]`);
  for (const failure of failures) console.error(`FAIL ${failure}`);
  console.log(failures.length === 0 ? 'soak: PASS' : 'soak: FAIL');
  return failures.length === 0 ? 0 : 1;
}
