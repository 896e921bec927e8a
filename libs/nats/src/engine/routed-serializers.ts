import { handledMessageClasses } from '@agentopera/agents';
import { ClassJsonMessageSerializer, type SerializableClass, type SerializationRegistry } from '@agentopera/serialization';
import type { AgentClass } from '@agentopera/types';

/**
 * Adds a `ClassJsonMessageSerializer` for each message class the handlers of a `RoutedAgent`
 * class accept (its registration makes its messages able to cross processes), unless
 * one is registered already. Other agent classes have no such list and add nothing.
 */
export function registerHandledMessageSerializers(registry: SerializationRegistry, agentClass: AgentClass): void {
  let classes: readonly unknown[];
  try {
    classes = handledMessageClasses(agentClass as unknown as abstract new (...args: never[]) => unknown);
  } catch {
    return;
  }
  for (const cls of classes) {
    // Primitive handlers (String, Number, Boolean) need a serializer chosen by the application.
    if (typeof cls !== 'function' || cls === String || cls === Number || cls === Boolean || !cls.name) continue;
    if (!registry.isRegistered(cls.name)) registry.addSerializer(new ClassJsonMessageSerializer(cls as SerializableClass<object>));
  }
}
