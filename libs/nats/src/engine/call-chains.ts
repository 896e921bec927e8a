import type { CallChain } from '@agentopera/types';

const MAX_CHAIN = 32;

/**
 * Call chains across processes. Locally a chain is a linked list of turn objects, compared by
 * identity (a serial agent runs a call at once when the call's chain contains its running turn).
 * Across processes each local turn gets an id, and a message carries the ids of its chain; a
 * process receiving it maps back the ids of its own turns, so A→B→A runs at once even when B
 * lives elsewhere, and passes the foreign ids on in every call made further down the chain.
 */
export class CallChains {
  private counter = 0;
  private readonly ids = new WeakMap<CallChain, string>();
  private readonly links = new Map<string, WeakRef<CallChain>>();
  /** Foreign ids carried by a chain object this process made from a message's header. */
  private readonly foreign = new WeakMap<CallChain, readonly string[]>();
  private readonly registry = new FinalizationRegistry<string>((id) => this.links.delete(id));

  constructor(private readonly processId: string) {}

  /** The ids of `chain` for a message's header (newest first), or undefined when there is none. */
  encode(chain: CallChain | undefined): string | undefined {
    if (chain === undefined) return undefined;
    const out: string[] = [];
    for (let link: CallChain | undefined = chain; link !== undefined && out.length < MAX_CHAIN; link = link.next) {
      const carried = this.foreign.get(link);
      if (carried !== undefined) {
        out.push(...carried);
        continue;
      }
      out.push(this.idOf(link));
    }
    return out.slice(0, MAX_CHAIN).join(',');
  }

  /**
   * The chain to run an arriving message in: a link that carries the ids of other processes' turns
   * on, followed by the newest local turn named in the header (so that turn recognises the call
   * as its own) and that turn's own chain.
   */
  decode(header: string | undefined): CallChain | undefined {
    if (header === undefined || header === '') return undefined;
    const ids = header.split(',').slice(0, MAX_CHAIN);
    for (const [index, id] of ids.entries()) {
      const link = this.links.get(id)?.deref();
      if (link === undefined) continue;
      if (index === 0) return link;
      const carrier: CallChain = { next: link };
      this.foreign.set(carrier, ids.slice(0, index));
      return carrier;
    }
    const carrier: CallChain = { next: undefined };
    this.foreign.set(carrier, ids);
    return carrier;
  }

  private idOf(link: CallChain): string {
    let id = this.ids.get(link);
    if (id === undefined) {
      id = `${this.processId}-${(this.counter++).toString(36)}`;
      this.ids.set(link, id);
      this.links.set(id, new WeakRef(link));
      this.registry.register(link, id);
    }
    return id;
  }
}
