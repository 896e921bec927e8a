import type { TextSink } from './text-sink.js';

/** Redraw period on a terminal. */
export const TTY_INTERVAL_MS = 200;
/** Period of plain lines when stderr is a file or pipe, where every update stays in the log. */
export const PLAIN_INTERVAL_MS = 2000;

const CLEAR_LINE = '\r\x1b[2K';

/**
 * A status line on stderr while the pipeline runs. On a terminal it is redrawn in place with
 * `\r`; elsewhere it is written as plain lines, less often, and only when it changed.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private drawn = false;

  constructor(
    private readonly sink: TextSink,
    private readonly render: () => string,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.update(), this.sink.isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS);
    // The line reports on the run; it must never be what keeps the process alive.
    this.timer.unref();
  }

  update(): void {
    const line = this.render();
    if (line === this.last) return;
    this.last = line;
    if (this.sink.isTTY) {
      this.sink.write(CLEAR_LINE + line);
      this.drawn = true;
    } else {
      this.sink.write(line + '\n');
    }
  }

  /** Stops updating and erases the line on a terminal, so the report starts on a clean line. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.sink.write(CLEAR_LINE);
    this.drawn = false;
  }
}
