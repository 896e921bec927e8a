import type { KV } from '@nats-io/kv';
import { AgentNotFoundError, type AgentId } from '@agentopera/types';
import { retryRequest } from '../cluster/retry.js';
import { encodeToken } from '../subject-codec.js';

/**
 * The agent types some process of the cluster registered, kept in a KV bucket so that a sender
 * can reject a message to a type nobody registered at once (`AgentNotFoundError`) while messages
 * to a registered type whose processes are all down wait in the stream for the next one.
 * Known types are cached (a type is never unregistered); an unknown one is read fresh.
 */
export class TypeRegistry {
  private readonly known = new Set<string>();

  constructor(private readonly kv: KV) {}

  async register(type: string, processId: string): Promise<void> {
    await this.kv.put(encodeToken(type), JSON.stringify({ type, registeredBy: processId }));
    this.known.add(type);
  }

  /** Whether any process ever registered `type`; true answers are cached. */
  isKnownNow(type: string): boolean {
    return this.known.has(type);
  }

  async isKnown(type: string): Promise<boolean> {
    if (this.known.has(type)) return true;
    const entry = await retryRequest(() => this.kv.get(encodeToken(type)), 30_000);
    if (entry === null || entry.operation !== 'PUT') return false;
    this.known.add(type);
    return true;
  }

  /** The error for a type no process registered, listing those that are. */
  async notFound(id: AgentId, cluster: string): Promise<AgentNotFoundError> {
    const known = await this.list().catch(() => [] as string[]);
    return new AgentNotFoundError(
      `No process of cluster "${cluster}" registered agent type "${id.type}" (known types: ${known.length ? known.join(', ') : 'none'})`,
    );
  }

  /** Every registered type (for error messages). */
  async list(): Promise<string[]> {
    const types: string[] = [];
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry?.operation === 'PUT') types.push((entry.json() as { type: string }).type);
    }
    return types.sort();
  }
}
