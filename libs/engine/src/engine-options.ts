import type { StateStore } from '@agentopera/state';
import { describeValue } from '@agentopera/types';
import type { LocalAgentEngineOptions } from './local-agent-engine-options.js';
import { DEFAULT_TURN_BLOCKED_WARNING_MS } from './turn-watch.js';

/** The lifecycle options of an engine, checked. */
export interface ParsedEngineOptions {
  readonly stateStore: StateStore | undefined;
  readonly maxActiveAgents: number | undefined;
  readonly stateStoreTimeoutMs: number;
  readonly turnBlockedWarningMs: number;
}

export const DEFAULT_STATE_STORE_TIMEOUT_MS = 30_000;

/** Validates the engine's lifecycle options: each bad value is one clear error, before anything is built. */
export function parseEngineOptions(options: LocalAgentEngineOptions): ParsedEngineOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`Engine options must be an object, got ${describeValue(options)}`);
  const { stateStore, maxActiveAgents, stateStoreTimeoutMs = DEFAULT_STATE_STORE_TIMEOUT_MS, turnBlockedWarningMs = DEFAULT_TURN_BLOCKED_WARNING_MS } = options;
  if (stateStore !== undefined && (stateStore === null || typeof stateStore !== 'object' || typeof stateStore.get !== 'function' || typeof stateStore.set !== 'function')) {
    throw new TypeError(`stateStore must be a StateStore (an object with get, set and delete), got ${describeValue(stateStore)}`);
  }
  if (maxActiveAgents !== undefined && !(Number.isSafeInteger(maxActiveAgents) && maxActiveAgents > 0)) {
    throw new RangeError(`maxActiveAgents must be a positive integer, got ${describeValue(maxActiveAgents)}`);
  }
  if (!(typeof stateStoreTimeoutMs === 'number' && stateStoreTimeoutMs > 0 && stateStoreTimeoutMs <= 2_147_483_647)) {
    throw new RangeError(`stateStoreTimeoutMs must be a positive number of milliseconds (at most 2^31-1), got ${describeValue(stateStoreTimeoutMs)}`);
  }
  if (!(typeof turnBlockedWarningMs === 'number' && turnBlockedWarningMs >= 0 && (turnBlockedWarningMs <= 2_147_483_647 || turnBlockedWarningMs === Infinity))) {
    throw new RangeError(`turnBlockedWarningMs must be 0 (off), Infinity (off) or a number of milliseconds up to 2^31-1, got ${describeValue(turnBlockedWarningMs)}`);
  }
  return { stateStore, maxActiveAgents, stateStoreTimeoutMs, turnBlockedWarningMs };
}
