import { TypeSubscription } from '@agentopera/subscriptions';
import { AgentId, MessageChannel, MessageDroppedError, type MessageContext } from '@agentopera/types';
import { describe, expect, it } from 'vitest';
import { DefaultInterventionHandler, DropMessage } from './intervention-handler.js';
import { LocalAgentEngine } from './local-agent-engine.js';
import { TestAgent } from './test-utils/test-agent.js';

class Counting extends DefaultInterventionHandler {
  sends = 0;
  publishes = 0;
  responses = 0;
  override onSend(message: unknown): unknown {
    this.sends++;
    return message;
  }
  override onPublish(message: unknown): unknown {
    this.publishes++;
    return message;
  }
  override onResponse(message: unknown): unknown {
    this.responses++;
    return message;
  }
}

async function setup(...handlers: DefaultInterventionHandler[]) {
  const engine = new LocalAgentEngine({ interventionHandlers: handlers });
  await engine.registerAgentBuilder('a', () => new TestAgent());
  await engine.registerAgentBuilder('b', () => new TestAgent());
  await engine.subscribe(new TypeSubscription('t', 'a'));
  await engine.subscribe(new TypeSubscription('t', 'b'));
  engine.start();
  const agent = (type: string) => engine.tryGetUnderlyingAgentInstance(new AgentId(type, 'k'), TestAgent);
  return { engine, agent };
}

describe('intervention handlers', () => {
  it('see every send, response and publish (once per publish, not per recipient)', async () => {
    const counting = new Counting();
    const { engine } = await setup(counting);
    await engine.sendMessage('m', new AgentId('a', 'k'));
    await engine.publishMessage('p', new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
    expect([counting.sends, counting.responses, counting.publishes]).toEqual([1, 1, 1]);
  });

  it('run in order, each on the previous result, and may replace the message', async () => {
    class Suffix extends DefaultInterventionHandler {
      constructor(private readonly suffix: string) {
        super();
      }
      override onSend(message: unknown): unknown {
        return `${String(message)}${this.suffix}`;
      }
      override onResponse(message: unknown): unknown {
        return `${String(message)}|${this.suffix}`;
      }
    }
    const { engine, agent } = await setup(new Suffix('1'), new Suffix('2'));
    await expect(engine.sendMessage('m', new AgentId('a', 'k'))).resolves.toBe('m12|1|2');
    expect((await agent('a')).received).toEqual(['m12']);
    await engine.stop();
  });

  it('gives onSend the message context and recipient', async () => {
    const seen: [MessageContext, AgentId][] = [];
    class Inspect extends DefaultInterventionHandler {
      override onSend(message: unknown, ctx: MessageContext, recipient: AgentId): unknown {
        seen.push([ctx, recipient]);
        return message;
      }
    }
    const { engine } = await setup(new Inspect());
    const sender = new AgentId('b', 'k');
    await engine.sendMessage('m', new AgentId('a', 'k'), { sender, messageId: 'mid' });
    await engine.stop();
    const [ctx, recipient] = seen[0]!;
    expect([ctx.sender, ctx.isRpc, ctx.messageId, recipient.toString()]).toEqual([sender, true, 'mid', 'a/k']);
  });

  it('a dropped send never reaches the handler and rejects the caller', async () => {
    class DropSends extends DefaultInterventionHandler {
      override onSend(): unknown {
        return DropMessage;
      }
    }
    const counting = new Counting();
    const { engine, agent } = await setup(new DropSends(), counting);
    await expect(engine.sendMessage('m', new AgentId('a', 'k'))).rejects.toBeInstanceOf(MessageDroppedError);
    await engine.stopWhenIdle();
    expect(counting.sends).toBe(0);
    expect((await agent('a')).received).toEqual([]);
  });

  it('a dropped publish reaches no one', async () => {
    class DropPublishes extends DefaultInterventionHandler {
      override async onPublish(): Promise<unknown> {
        return DropMessage;
      }
    }
    const { engine, agent } = await setup(new DropPublishes());
    await engine.publishMessage('p', new MessageChannel('t', 'k'));
    await engine.stopWhenIdle();
    expect((await agent('a')).received).toEqual([]);
    expect((await agent('b')).received).toEqual([]);
  });

  it('an onSend that throws rejects the caller with its error', async () => {
    const failure = new Error('not allowed');
    class Raise extends DefaultInterventionHandler {
      override onSend(): unknown {
        throw failure;
      }
    }
    const { engine } = await setup(new Raise());
    await expect(engine.sendMessage('m', new AgentId('a', 'k'))).rejects.toBe(failure);
    await engine.stopWhenIdle();
  });

  it('an onResponse that throws rejects the caller with its error', async () => {
    const failure = new Error('bad response');
    class Raise extends DefaultInterventionHandler {
      override onResponse(): unknown {
        throw failure;
      }
    }
    const { engine } = await setup(new Raise());
    await expect(engine.sendMessage('m', new AgentId('a', 'k'))).rejects.toBe(failure);
    await engine.stopWhenIdle();
  });
});
