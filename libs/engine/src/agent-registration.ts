import {
  describeValue,
  type Agent,
  type AgentBuilder,
  type AgentClass,
  type AgentPersistence,
  type RegisterAgentBuilderOptions,
} from '@agentopera/types';
import type { TurnWatch } from './turn-watch.js';

/** What an engine knows of an agent type registered with a builder. */
export class AgentRegistration {
  /**
   * Whether a message to this type can skip turns and per-message saves: the engine's fast path.
   * Derived once here so that dispatch reads one field.
   */
  readonly direct: boolean;
  /**
   * Whether its instances are bare agents: direct, idleness untracked, nothing persisted, so they
   * need nothing but the agent itself, and the directory keeps them without an `Activation`.
   */
  readonly bare: boolean;
  /** @internal Reports turns that keep messages waiting too long (serial types of an engine that watches). */
  turnWatch: TurnWatch | undefined = undefined;

  constructor(
    readonly type: string,
    readonly builder: AgentBuilder<Agent>,
    readonly expectedClass: AgentClass<Agent> | undefined,
    readonly serial: boolean,
    readonly idleTimeoutMs: number | undefined,
    readonly persistence: AgentPersistence,
    /** Whether the idleness of its instances is tracked: an idle timeout or the engine's cap may deactivate them. */
    readonly tracked: boolean,
  ) {
    this.direct = !serial && persistence !== 'turn';
    this.bare = this.direct && !tracked && persistence === 'none';
  }

  /** Checks what a builder returned against `expectedClass`. */
  checkBuilt(agent: unknown): Agent {
    const expectedClass = this.expectedClass;
    if (expectedClass !== undefined && (agent === null || typeof agent !== 'object' || agent.constructor !== expectedClass)) {
      throw new TypeError(
        `The builder of agent type "${this.type}" returned ${describeValue(agent)}, expected an instance of ${expectedClass.name}`,
      );
    }
    return agent as Agent;
  }
}

/** What a registration's options are checked against. */
export interface RegistrationContext {
  readonly hasStateStore: boolean;
  readonly maxActiveAgents: number | undefined;
}

/**
 * Validates `registerAgentBuilder`'s options and resolves their defaults. Every bad value is one
 * clear error naming the type and the value, thrown before anything is registered.
 */
export function parseRegistration(
  type: string,
  builder: unknown,
  options: RegisterAgentBuilderOptions<Agent>,
  context: RegistrationContext,
): AgentRegistration {
  const where = `registerAgentBuilder("${type}")`;
  if (typeof builder !== 'function') throw new TypeError(`${where} needs a builder function, got ${describeValue(builder)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describeValue(options)}`);
  const { concurrency = 'concurrent', idleTimeoutMs, persistence } = options;
  if (concurrency !== 'concurrent' && concurrency !== 'serial') {
    throw new TypeError(`${where}: concurrency must be 'concurrent' or 'serial', got ${describeValue(concurrency)}`);
  }
  if (idleTimeoutMs !== undefined && !(typeof idleTimeoutMs === 'number' && Number.isFinite(idleTimeoutMs) && idleTimeoutMs > 0)) {
    throw new RangeError(`${where}: idleTimeoutMs must be a positive, finite number of milliseconds, got ${describeValue(idleTimeoutMs)}`);
  }
  if (persistence !== undefined && persistence !== 'none' && persistence !== 'deactivate' && persistence !== 'turn') {
    throw new TypeError(`${where}: persistence must be 'none', 'deactivate' or 'turn', got ${describeValue(persistence)}`);
  }
  if (persistence !== undefined && persistence !== 'none' && !context.hasStateStore) {
    throw new TypeError(`${where}: persistence '${persistence}' needs an engine with a stateStore`);
  }
  if (!context.hasStateStore && persistence !== 'none') {
    // Deactivating an agent whose state goes nowhere loses that state: make the user say so.
    const reason =
      idleTimeoutMs !== undefined
        ? `idleTimeoutMs (${idleTimeoutMs}) deactivates idle agents`
        : context.maxActiveAgents !== undefined
          ? `the engine's maxActiveAgents (${context.maxActiveAgents}) deactivates agents beyond the cap`
          : undefined;
    if (reason !== undefined) {
      throw new TypeError(
        `${where}: ${reason}, but the engine has no stateStore, so their state would be lost; ` +
          "give the engine a stateStore, or pass persistence: 'none' to accept that",
      );
    }
  }
  return new AgentRegistration(
    type,
    builder as AgentBuilder<Agent>,
    options.expectedClass,
    concurrency === 'serial',
    idleTimeoutMs,
    persistence ?? (context.hasStateStore ? 'deactivate' : 'none'),
    idleTimeoutMs !== undefined || context.maxActiveAgents !== undefined,
  );
}
