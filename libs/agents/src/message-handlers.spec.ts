import { describe, expect, it } from 'vitest';
import { messageHandler, rpc } from './message-handlers.js';
import { RoutedAgent } from './routed-agent.js';

class Foo {
  foo = 1;
}
class Bar {
  bar = 1;
}

// The @ts-expect-error lines are the test: `tsc --noEmit` fails if the decorators stop
// checking handler parameters against the routed classes.
describe('handler decorator typing', () => {
  it('checks the handler parameter against the explicit classes and match', () => {
    class Typed extends RoutedAgent {
      // @ts-expect-error the parameter does not accept Foo
      @messageHandler(Foo) async wrong(_message: Bar) {}
      @messageHandler([Foo, Bar]) async both(_message: Foo | Bar) {}
      // @ts-expect-error the parameter does not accept Bar
      @messageHandler([Foo, Bar]) async narrow(_message: Foo) {}
      @rpc(String, { match: (message) => message.length > 1 }) async text(_message: string) {}
      @rpc({ match: (message: Foo) => message.foo > 0 }) async matched(_message: Foo) {}
    }
    class NotAnAgent {
      // @ts-expect-error handler decorators apply to RoutedAgent subclasses only
      @messageHandler() async stray(_message: Foo) {}
    }
    expect([Typed, NotAnAgent]).toHaveLength(2);
  });
});
