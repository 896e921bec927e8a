import { describe, expect, it } from 'vitest';
import { formatProcesses, mergeAgentCounts, type ProcessFacts } from './process-report.js';

const processes: ProcessFacts[] = [
  { name: 'demo', pid: 10, agents: new Map([['coordinator', 1], ['aggregator', 1]]), handled: 9 },
  { name: 'worker-1', pid: 11, agents: new Map([['worker', 2]]), handled: 2, reported: true, exit: 'exit 0' },
  { name: 'worker-2', pid: 12, agents: new Map(), handled: 0, reported: false, exit: 'SIGKILL' },
];

describe('formatProcesses', () => {
  it('gives each process its agents and messages, says which worker sent no counts, and adds them up', () => {
    expect(formatProcesses(processes, 'demo-1', 'nats://h:4222')).toBe(
      [
        'Processes (cluster demo-1 on nats://h:4222):',
        '  demo      pid 10: hosted coordinator 1, aggregator 1; handled 9 messages',
        '  worker-1  pid 11: hosted worker 2; handled 2 messages, then exited (exit 0)',
        '  worker-2  pid 12: exited (SIGKILL) before sending its counts',
        '  all 3 processes handled at least 11 messages (a publish counts once per agent it reached)',
        '',
      ].join('\n'),
    );
  });

  it('adds agent counts up by type', () => {
    expect([...mergeAgentCounts([...processes, { name: 'worker-3', pid: 13, agents: new Map([['worker', 3]]), handled: 3 }])]).toEqual([
      ['coordinator', 1],
      ['aggregator', 1],
      ['worker', 5],
    ]);
  });
});
