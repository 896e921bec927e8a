import { validateAgentType } from './agent-id.js';

/** The name under which an agent builder is registered; every `AgentId` of that type shares it. */
export class AgentType {
  readonly type: string;

  constructor(type: string) {
    this.type = validateAgentType(type);
  }

  equals(other: unknown): boolean {
    return other instanceof AgentType && other.type === this.type;
  }

  toString(): string {
    return this.type;
  }
}
