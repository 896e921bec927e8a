'use strict';
// What differs between component kinds: the library the stub builds on, the conformance kit its
// spec runs, and the stub's source. Everything else of the scaffold is in generator.js.

/** @typedef {{ className: string, fileName: string }} Names */

const queue = {
  dependsOn: ['queue'],
  allowedTags: ['scope:queue'],
  interfaceName: 'MessageQueue',
  /** @param {Names} n */
  files: (n) => ({
    [`${n.fileName}-storage.ts`]: `import type { QueueStorage } from '@agentopera/queue';

/**
 * Where \`${n.className}\` keeps its items, and so the order they come out in. This stub is FIFO;
 * change \`push\`/\`pop\` for another order (and pass \`{ fifo: false }\` to the conformance kit in
 * ${n.fileName}.spec.ts if items no longer come out in the order they were put).
 */
export class ${n.className}Storage<T> implements QueueStorage<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  pop(): T {
    const item = this.items[this.head] as T;
    this.head++;
    // Compacting once half is consumed keeps pop amortized O(1) and frees consumed items.
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  size(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
`,
    [`${n.fileName}.ts`]: `import { BaseAsyncQueue } from '@agentopera/queue';
import { ${n.className}Storage } from './${n.fileName}-storage.js';

/**
 * A \`MessageQueue\` for the engine (\`new LocalAgentEngine({ queue: () => new ${n.className}() })\`).
 * Waiting, backpressure (\`maxsize\`, 0 = unbounded), \`join\` and \`shutdown\` come from
 * \`BaseAsyncQueue\`; the order comes from the storage.
 */
export class ${n.className}<T> extends BaseAsyncQueue<T> {
  constructor(maxsize = 0) {
    super(new ${n.className}Storage<T>(), maxsize);
  }
}
`,
    [`${n.fileName}.spec.ts`]: `import { describeMessageQueueConformance } from '@agentopera/queue/testing';
import { ${n.className} } from './index.js';

describeMessageQueueConformance('${n.className}', (maxsize) => new ${n.className}<number>(maxsize));
`,
    'index.ts': `export { ${n.className} } from './${n.fileName}.js';
export { ${n.className}Storage } from './${n.fileName}-storage.js';
`,
  }),
};

const subscriptionManager = {
  dependsOn: ['subscriptions', 'types'],
  allowedTags: ['scope:subscriptions', 'scope:types'],
  interfaceName: 'SubscriptionManager',
  /** @param {Names} n */
  files: (n) => ({
    [`${n.fileName}.ts`]: `import { DefaultSubscriptionManager } from '@agentopera/subscriptions';

/**
 * A \`SubscriptionManager\` for the engine (\`new LocalAgentEngine({ subscriptionManager: new ${n.className}() })\`).
 * This stub inherits the default's behaviour; override its methods, or implement the
 * \`SubscriptionManager\` interface from scratch, and keep the conformance kit passing.
 */
export class ${n.className} extends DefaultSubscriptionManager {}
`,
    [`${n.fileName}.spec.ts`]: `import { describeSubscriptionManagerConformance } from '@agentopera/subscriptions/testing';
import { ${n.className} } from './index.js';

describeSubscriptionManagerConformance('${n.className}', () => new ${n.className}());
`,
    'index.ts': `export { ${n.className} } from './${n.fileName}.js';
`,
  }),
};

const serializer = {
  dependsOn: ['serialization'],
  allowedTags: ['scope:serialization'],
  interfaceName: 'MessageSerializer',
  /** @param {Names} n */
  files: (n) => ({
    [`${n.fileName}.ts`]: `import { JsonMessageSerializer, type MessageSerializer } from '@agentopera/serialization';

/**
 * A \`MessageSerializer\` (\`engine.registerMsgSerializer(new ${n.className}('MyMessage'))\`). This stub
 * delegates to JSON; put your format in \`serialize\`/\`deserialize\` and a \`dataContentType\` that
 * names it, and give the conformance kit \`invalidPayloads\` of that format.
 */
export class ${n.className}<T = unknown> implements MessageSerializer<T> {
  readonly dataContentType: string;
  private readonly json: JsonMessageSerializer<T>;

  constructor(readonly typeName: string) {
    this.json = new JsonMessageSerializer<T>(typeName);
    this.dataContentType = this.json.dataContentType;
  }

  serialize(message: T): Uint8Array {
    return this.json.serialize(message);
  }

  deserialize(payload: Uint8Array): T {
    return this.json.deserialize(payload);
  }
}
`,
    [`${n.fileName}.spec.ts`]: `import { describeMessageSerializerConformance } from '@agentopera/serialization/testing';
import { ${n.className} } from './index.js';

describeMessageSerializerConformance('${n.className}', () => new ${n.className}('Greeting'), [
  { text: 'hello' },
  { text: '', count: 0, tags: ['a', 'b'], nested: { ok: true } },
]);
`,
    'index.ts': `export { ${n.className} } from './${n.fileName}.js';
`,
  }),
};

/** @type {Record<string, typeof queue>} */
const kinds = { queue, 'subscription-manager': subscriptionManager, serializer };

module.exports = { kinds };
