export { Deque } from './deque.js';
export { FairQueueStorage } from './fair-queue-storage.js';
export { FairQueue } from './fair-queue.js';
export { EXTERNAL_LANE, senderLane } from './sender-lane.js';
export { SpanCountingExporter } from './span-counting-exporter.js';
export { RecordingAgent } from './recording-agent.js';
export { createCustomEngine, type CustomEngine, type CustomEngineOptions } from './create-custom-engine.js';
export { runChattyDemo, type ChattyDemoResult } from './chatty-demo.js';
