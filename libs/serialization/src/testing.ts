// Test helpers; a separate entry point because they import Vitest, which the runtime must not need.
export { describeMessageSerializerConformance } from './message-serializer-conformance.js';
export type { MessageSerializerConformanceOptions } from './message-serializer-conformance.js';
