/** Where the demo writes: `process.stdout`/`process.stderr`, or a capture in tests. */
export interface TextSink {
  write(chunk: string): unknown;
  /** Set on a terminal: the progress line then redraws itself in place. */
  readonly isTTY?: boolean;
}
