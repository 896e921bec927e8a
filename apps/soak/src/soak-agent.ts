import { BaseAgent, type MessageContext } from '@agentopera/core';

/** Counts what it handles (RPC and published apart) and echoes RPCs, so the run can be checked. */
export class SoakAgent extends BaseAgent {
  static rpcs = 0;
  static published = 0;
  static instances = 0;

  constructor() {
    super('soak worker');
    SoakAgent.instances++;
  }

  protected async onMessageImpl(message: unknown, ctx: MessageContext): Promise<unknown> {
    if (ctx.isRpc) {
      SoakAgent.rpcs++;
      return message;
    }
    SoakAgent.published++;
    return undefined;
  }
}
