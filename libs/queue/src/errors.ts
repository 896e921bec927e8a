/** Raised by `put`/`get` on a queue that was shut down (Python's `asyncio.QueueShutDown`). */
export class QueueShutDownError extends Error {
  constructor(message = 'The queue has been shut down') {
    super(message);
    this.name = 'QueueShutDownError';
  }
}

/** Raised by `putNowait` on a full bounded queue (Python's `asyncio.QueueFull`). */
export class QueueFullError extends Error {
  constructor(message = 'The queue is full') {
    super(message);
    this.name = 'QueueFullError';
  }
}

/** Raised by `getNowait` on an empty queue (Python's `asyncio.QueueEmpty`). */
export class QueueEmptyError extends Error {
  constructor(message = 'The queue is empty') {
    super(message);
    this.name = 'QueueEmptyError';
  }
}

/**
 * Raised by `taskDone` when it is called more often than items were put (the `ValueError` of
 * Python's `task_done`): a consumer is marking work done that it never took.
 */
export class QueueTaskDoneError extends Error {
  constructor(message = 'taskDone() called more times than there were items put') {
    super(message);
    this.name = 'QueueTaskDoneError';
  }
}
