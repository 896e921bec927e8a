/** Raised by `put`/`get` on a queue that was shut down. */
export class QueueShutDownError extends Error {
  constructor(message = 'The queue has been shut down') {
    super(message);
    this.name = 'QueueShutDownError';
  }
}

/** Raised by `putNowait` on a full bounded queue. */
export class QueueFullError extends Error {
  constructor(message = 'The queue is full') {
    super(message);
    this.name = 'QueueFullError';
  }
}

/** Raised by `getNowait` on an empty queue. */
export class QueueEmptyError extends Error {
  constructor(message = 'The queue is empty') {
    super(message);
    this.name = 'QueueEmptyError';
  }
}
