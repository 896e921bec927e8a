// A separate entry (`@agentopera/queue/testing`) because it imports vitest, which must not become a
// runtime dependency of the queue itself.
export { describeMessageQueueConformance, type MessageQueueConformanceOptions } from './message-queue-conformance.js';
