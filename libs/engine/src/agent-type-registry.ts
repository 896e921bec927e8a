import {
  AgentId,
  AgentNotFoundError,
  EngineStateError,
  describeValue,
  type Agent,
  type RegisterAgentBuilderOptions,
} from '@agentopera/types';
import { parseRegistration, type AgentRegistration, type RegistrationContext } from './agent-registration.js';

/**
 * The agent types an engine knows: those with a builder (built lazily, any number of ids) and
 * those given as instances (`registerAgentInstance`: fixed ids, one class per type, as in
 * autogen). A type is one or the other, never both.
 */
export class AgentTypeRegistry {
  private readonly builders = new Map<string, AgentRegistration>();
  /** Types registered through `registerAgentInstance`, with the one class their instances have. */
  private readonly instanceTypes = new Map<string, unknown>();

  constructor(private readonly context: RegistrationContext) {}

  addBuilder(type: string, builder: unknown, options: RegisterAgentBuilderOptions<Agent>): AgentRegistration {
    if (this.builders.has(type) || this.instanceTypes.has(type)) {
      throw new EngineStateError(`An agent type named "${type}" is already registered`);
    }
    const registration = parseRegistration(type, builder, options, this.context);
    this.builders.set(type, registration);
    return registration;
  }

  /** Checks an instance about to be registered under `id`; `isTaken` says whether the id is in use. */
  checkInstance(agent: Agent, id: AgentId, isTaken: boolean): void {
    if (!(id instanceof AgentId)) throw new TypeError(`registerAgentInstance needs an AgentId, got ${describeValue(id)}`);
    if (agent === null || typeof agent !== 'object' || typeof agent.onMessage !== 'function') {
      throw new TypeError(`registerAgentInstance needs an Agent (an object with onMessage), got ${describeValue(agent)}`);
    }
    if (this.builders.has(id.type)) {
      throw new EngineStateError(`Agent type "${id.type}" has a builder; an instance cannot also be registered for it`);
    }
    if (isTaken) throw new EngineStateError(`An agent instance with id "${id.toString()}" is already registered`);
    const knownClass = this.instanceTypes.get(id.type);
    if (knownClass !== undefined && knownClass !== agent.constructor) {
      throw new EngineStateError(
        `Agent type "${id.type}" has instances of class ${className(knownClass)}; ` +
          `an instance of ${className(agent.constructor)} cannot be registered under it (one class per type)`,
      );
    }
  }

  addInstanceType(type: string, agentClass: unknown): void {
    this.instanceTypes.set(type, agentClass);
  }

  builder(type: string): AgentRegistration | undefined {
    return this.builders.get(type);
  }

  hasBuilder(type: string): boolean {
    return this.builders.has(type);
  }

  notFound(id: AgentId): AgentNotFoundError {
    const known = [...new Set([...this.builders.keys(), ...this.instanceTypes.keys()])];
    return new AgentNotFoundError(
      this.instanceTypes.has(id.type)
        ? `No agent instance "${id}" is registered (type "${id.type}" has registered instances but no builder)`
        : `No agent type "${id.type}" is registered (known types: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
}

function className(value: unknown): string {
  return typeof value === 'function' && value.name ? value.name : 'an anonymous class';
}
