/** Raised by `put`/`get` on a queue that was shut down (Python's `asyncio.QueueShutDown`). */
export class QueueShutDownError extends Error {
  override readonly name: string = 'QueueShutDownError';
  /** A stable identifier of the kind of failure; never renamed. */
  readonly code: string = 'QUEUE_SHUT_DOWN';

  constructor(message = 'The queue has been shut down') {
    super(message);
  }
}

/** Raised by `putNowait` on a full bounded queue (Python's `asyncio.QueueFull`). */
export class QueueFullError extends Error {
  override readonly name: string = 'QueueFullError';
  /** A stable identifier of the kind of failure; never renamed. */
  readonly code: string = 'QUEUE_FULL';

  constructor(message = 'The queue is full') {
    super(message);
  }
}

/** Raised by `getNowait` on an empty queue (Python's `asyncio.QueueEmpty`). */
export class QueueEmptyError extends Error {
  override readonly name: string = 'QueueEmptyError';
  /** A stable identifier of the kind of failure; never renamed. */
  readonly code: string = 'QUEUE_EMPTY';

  constructor(message = 'The queue is empty') {
    super(message);
  }
}

/**
 * Raised by `taskDone` when it is called more often than items were put (the `ValueError` of
 * Python's `task_done`): a consumer is marking work done that it never took.
 */
export class QueueTaskDoneError extends Error {
  override readonly name: string = 'QueueTaskDoneError';
  /** A stable identifier of the kind of failure; never renamed. */
  readonly code: string = 'QUEUE_TASK_DONE';

  constructor(message = 'taskDone() called more times than there were items put') {
    super(message);
  }
}
