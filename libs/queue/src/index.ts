export type { MessageQueue } from './message-queue.js';
export { QueueEmptyError, QueueFullError, QueueShutDownError, QueueTaskDoneError } from './errors.js';
export type { QueueStorage } from './queue-storage.js';
export { BaseAsyncQueue, type QueueWaitOptions } from './base-async-queue.js';
export { AsyncQueue } from './async-queue.js';
export { PriorityAsyncQueue } from './priority-async-queue.js';
