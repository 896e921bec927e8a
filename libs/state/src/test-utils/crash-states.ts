import { AgentId, type AgentState } from '@agentopera/types';

/** The ids the crash test writes: a plain one and a hostile one. */
export function crashTestIds(count: number): AgentId[] {
  return [new AgentId('counter', 'a'), new AgentId('counter', '../../é/' + 'k'.repeat(300))].slice(0, count);
}

/** The n-th state written: its size varies, so a torn write would show as a short or mixed file. */
export function crashState(n: number): AgentState {
  return { n, pad: String.fromCharCode(97 + (n % 26)).repeat((n * 997) % 20_000), tail: n };
}
