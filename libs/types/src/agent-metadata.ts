/** What an engine reports about an agent instance. */
export interface AgentMetadata {
  readonly type: string;
  readonly key: string;
  readonly description: string;
}
