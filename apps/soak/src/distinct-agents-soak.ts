import { AgentId, FileStateStore, LocalAgentEngine } from '@agentopera/core';
import { CounterAgent } from './counter-agent.js';
import { mib, settledHeapBytes } from './heap.js';
import { makeStateDirectory } from './state-directory.js';

/** What a distinct-agents soak is asked to do. */
export interface DistinctAgentsOptions {
  /** Distinct agent ids messaged, each once per pass. */
  readonly distinctAgents: number;
  /** The engine's `maxActiveAgents`. */
  readonly maxActive: number;
  /** Sends in flight at once (distinct agents); at most half the cap, so there is always an idle agent to deactivate. */
  readonly window?: number;
  /** Heap samples (after a forced GC) per pass. */
  readonly samplesPerPass?: number;
  /** Allowed heap above the baseline taken once the engine is full; see `DEFAULT_HEAP_TOLERANCE`. */
  readonly heapToleranceBytes?: number;
}

/**
 * Allowed growth of the heap after a forced GC above the baseline taken once `maxActive` agents
 * are live. Once the cap is reached the engine holds the same number of agents whatever the count,
 * so the heap should stay flat; 8 MiB is room for V8's hash tables resizing and the JIT, and is
 * 8.4 bytes per agent at a million agents: any per-agent leak (an id string alone is over 40 bytes)
 * exceeds it long before the end.
 */
export const DEFAULT_HEAP_TOLERANCE = 8 * 1024 * 1024;

/** One heap sample. */
export interface HeapSample {
  readonly pass: 1 | 2;
  readonly messages: number;
  readonly heapBytes: number;
  readonly activeAgents: number;
}

/** What the soak found; it passed when `failures` is empty. */
export interface DistinctAgentsResult {
  readonly stateDirectory: string;
  readonly seconds: number;
  readonly samples: readonly HeapSample[];
  /** The heap the bound is measured from: the first sample once the engine held `maxActive` agents. */
  readonly baselineBytes: number;
  readonly boundBytes: number;
  readonly activated: number;
  readonly deactivated: number;
  /** Agents whose second message answered 2: their state went to the store and came back. */
  readonly verified: number;
  readonly failures: readonly string[];
}

const TYPE = 'counter';

/**
 * Messages `distinctAgents` distinct agents twice, with `maxActiveAgents: maxActive` and a
 * `FileStateStore` in a temporary directory (removed at the end). Pass 1 builds each agent and
 * counts to 1; by the time pass 2 reaches an agent it has long been deactivated, so its answer 2
 * proves its state was saved and loaded. The heap is sampled after a forced GC as it goes and must
 * stay within `heapToleranceBytes` of the heap once the cap was reached.
 */
export async function runDistinctAgentsSoak(options: DistinctAgentsOptions, print: (line: string) => void): Promise<DistinctAgentsResult> {
  const { distinctAgents, maxActive } = options;
  const window = options.window ?? Math.max(1, Math.min(1000, Math.floor(maxActive / 2)));
  const samplesPerPass = options.samplesPerPass ?? 20;
  const tolerance = options.heapToleranceBytes ?? DEFAULT_HEAP_TOLERANCE;
  const sampleEvery = Math.max(window, Math.ceil(distinctAgents / samplesPerPass / window) * window);
  const directory = makeStateDirectory();
  print(
    `soak: ${distinctAgents.toLocaleString('en')} distinct agents, twice each, maxActiveAgents ${maxActive.toLocaleString('en')}, ` +
      `${window} sends in flight; FileStateStore in ${directory.path} (${directory.parent === '/dev/shm' ? '/dev/shm, a tmpfs' : 'the OS temporary folder'})`,
  );
  const failures: string[] = [];
  const samples: HeapSample[] = [];
  let baseline: number | undefined;
  let verified = 0;
  const started = performance.now();
  const store = new FileStateStore(directory.path);
  const engine = new LocalAgentEngine({ stateStore: store, maxActiveAgents: maxActive });
  try {
    await engine.registerAgentBuilder(TYPE, () => new CounterAgent(), { concurrency: 'serial', expectedClass: CounterAgent });
    engine.start();
    for (const pass of [1, 2] as const) {
      let wrong = 0;
      for (let start = 0; start < distinctAgents; start += window) {
        const end = Math.min(start + window, distinctAgents);
        const replies: Promise<number>[] = [];
        for (let i = start; i < end; i++) replies.push(engine.sendMessage<number>(pass, new AgentId(TYPE, `agent-${i}`)));
        for (const reply of await Promise.all(replies)) {
          if (reply === pass) {
            if (pass === 2) verified++;
          } else if (wrong++ < 5) {
            failures.push(`pass ${pass}: an agent answered ${reply}, expected ${pass}`);
          }
        }
        if (end % sampleEvery !== 0 && end !== distinctAgents) continue;
        const sample: HeapSample = { pass, messages: end, heapBytes: settledHeapBytes(), activeAgents: engine.activeAgentCount };
        samples.push(sample);
        if (baseline === undefined && (pass === 2 || end >= Math.min(distinctAgents, 2 * maxActive))) baseline = sample.heapBytes;
        const seconds = (performance.now() - started) / 1000;
        const done = (pass - 1) * distinctAgents + end;
        const { activated, deactivated } = engine.lifecycleCounts;
        print(
          `  pass ${pass} ${end.toLocaleString('en').padStart(11)} agents ${seconds.toFixed(1).padStart(7)} s ` +
            `${Math.round(done / seconds).toLocaleString('en').padStart(7)} msg/s  heap ${mib(sample.heapBytes).padStart(9)}  ` +
            `active ${sample.activeAgents.toLocaleString('en')}  activated ${activated.toLocaleString('en')}  deactivated ${deactivated.toLocaleString('en')}`,
        );
      }
      if (wrong > 5) failures.push(`pass ${pass}: ${wrong} agents answered wrongly in all`);
    }
    await engine.stop();
  } finally {
    await engine.close();
    await store.close();
    directory.remove();
  }
  const seconds = (performance.now() - started) / 1000;
  const { activated, deactivated } = engine.lifecycleCounts;
  const boundBytes = (baseline ?? 0) + tolerance;
  failures.push(...heapFailures(samples, baseline ?? 0, tolerance));
  if (verified !== distinctAgents) failures.push(`${verified.toLocaleString('en')} of ${distinctAgents.toLocaleString('en')} agents had their state back on their second message`);
  // Every agent is built once per pass: the cap is below the count, so none survives from pass 1 to its pass-2 message.
  if (distinctAgents > 2 * maxActive && activated !== 2 * distinctAgents) {
    failures.push(`${activated.toLocaleString('en')} activations, expected ${(2 * distinctAgents).toLocaleString('en')} (one per agent per pass)`);
  }
  return { stateDirectory: directory.path, seconds, samples, baselineBytes: baseline ?? 0, boundBytes, activated, deactivated, verified, failures };
}

/** The heap check: every sample at most `toleranceBytes` above `baselineBytes`. */
export function heapFailures(samples: readonly HeapSample[], baselineBytes: number, toleranceBytes: number): string[] {
  const bound = baselineBytes + toleranceBytes;
  const over = samples.filter((sample) => sample.heapBytes > bound);
  if (over.length === 0) return [];
  const worst = over.reduce((a, b) => (b.heapBytes > a.heapBytes ? b : a));
  return [
    `heap after forced GC above the bound ${mib(bound)} (baseline ${mib(baselineBytes)} + ${mib(toleranceBytes)}) in ${over.length} ` +
      `of ${samples.length} samples, up to ${mib(worst.heapBytes)} (pass ${worst.pass}, after ${worst.messages.toLocaleString('en')} agents)`,
  ];
}

/** The closing lines of a run, as printed by `npm run soak`. */
export function describeDistinctAgentsResult(result: DistinctAgentsResult, distinctAgents: number): string[] {
  const heaps = result.samples.map((sample) => sample.heapBytes);
  const messages = 2 * distinctAgents;
  return [
    `done: ${messages.toLocaleString('en')} messages to ${distinctAgents.toLocaleString('en')} distinct agents in ${result.seconds.toFixed(1)} s ` +
      `(${Math.round(messages / result.seconds).toLocaleString('en')} msg/s)`,
    `  heap after forced GC over ${heaps.length} samples: min ${mib(Math.min(...heaps))}, max ${mib(Math.max(...heaps))}; ` +
      `bound ${mib(result.boundBytes)} (baseline ${mib(result.baselineBytes)} once the cap was reached + ${mib(result.boundBytes - result.baselineBytes)})`,
    `  active agents at the samples: at most ${Math.max(...result.samples.map((sample) => sample.activeAgents)).toLocaleString('en')}`,
    `  agents: ${result.activated.toLocaleString('en')} activations, ${result.deactivated.toLocaleString('en')} deactivations (close included), ` +
      `${result.verified.toLocaleString('en')} of ${distinctAgents.toLocaleString('en')} verified (state back on the second message)`,
    `  state directory ${result.stateDirectory} removed`,
  ];
}
