import { BaseAgent, type MessageContext } from '@agentopera/core';

/** The user's agent in the engine scenarios: returns what it is sent. */
export class EchoAgent extends BaseAgent {
  constructor() {
    super('echo');
  }

  protected async onMessageImpl(message: unknown, _ctx: MessageContext): Promise<unknown> {
    return message;
  }
}

/** Counts deliveries and wakes whoever waits for a total (the fan-out and publish scenarios). */
export class DeliveryCounter {
  private delivered = 0;
  private target = Infinity;
  private wake: (() => void) | undefined;

  hit(): void {
    if (++this.delivered >= this.target) this.wake?.();
  }

  /** Resolves once `total` deliveries happened since the last wait, then resets the count. */
  async waitFor(total: number): Promise<void> {
    if (this.delivered < total) {
      await new Promise<void>((resolve) => {
        this.target = total;
        this.wake = resolve;
      });
    }
    this.delivered -= total;
    this.target = Infinity;
    this.wake = undefined;
  }
}

/** An agent whose every delivery ticks a shared counter. */
export class CountingAgent extends BaseAgent {
  constructor(private readonly counter: DeliveryCounter) {
    super('counting');
  }

  protected async onMessageImpl(_message: unknown, _ctx: MessageContext): Promise<unknown> {
    this.counter.hit();
    return undefined;
  }
}
