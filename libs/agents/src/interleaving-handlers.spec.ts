import { describe, expect, it, vi } from 'vitest';
import { CancellationToken, MessageChannel, type MessageContext } from '@agentopera/types';
import { event, messageHandler, rpc } from './message-handlers.js';
import { RoutedAgent } from './routed-agent.js';

class Ping {
  constructor(readonly text = 'ping') {}
}
class Pong {}

const CHANNEL = new MessageChannel('default', 'k');

describe('interleaving handlers', () => {
  const ctx = (isRpc: boolean): MessageContext => ({
    sender: null,
    messageChannel: isRpc ? null : CHANNEL,
    isRpc,
    cancellationToken: new CancellationToken(),
    messageId: 'm',
  });

  it('tells which message would reach an interleaving handler, by class, kind and match, without running it', async () => {
    const ran: string[] = [];
    class Agent extends RoutedAgent {
      @rpc(Ping, { interleave: true, match: (message) => message.text === 'peek' })
      async onPeek() { ran.push('peek'); }

      @messageHandler(Ping) async onPing() { ran.push('ping'); }

      @event(Pong, { interleave: true }) async onPong() { ran.push('pong'); }
    }
    const agent = new Agent('a');
    expect(agent.isInterleaving(new Ping('peek'), ctx(true))).toBe(true);
    expect(agent.isInterleaving(new Ping('peek'), ctx(false))).toBe(false);
    expect(agent.isInterleaving(new Ping('other'), ctx(true))).toBe(false);
    expect(agent.isInterleaving(new Pong(), ctx(false))).toBe(true);
    expect(agent.isInterleaving(new Pong(), ctx(true))).toBe(false);
    expect(agent.isInterleaving('unhandled', ctx(true))).toBe(false);
    expect(ran).toEqual([]);
  });

  it('answers false without consulting match when no handler of the class interleaves', () => {
    const match = vi.fn(() => true);
    class Agent extends RoutedAgent {
      @rpc(Ping, { match }) async onPing() {}
    }
    expect(new Agent('a').isInterleaving(new Ping(), ctx(true))).toBe(false);
    expect(match).not.toHaveBeenCalled();
  });

  it('inherits interleaving handlers', () => {
    class Base extends RoutedAgent {
      @rpc(Ping, { interleave: true }) async onPing() {}
    }
    class Derived extends Base {}
    expect(new Derived('d').isInterleaving(new Ping(), ctx(true))).toBe(true);
  });
});
