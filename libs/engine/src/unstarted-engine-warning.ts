/** An engine that can tell whether messages wait in it although nobody ever started it. */
interface Startable {
  readonly hasForgottenMessages: boolean;
  readonly unprocessedMessagesCount: number;
}

/**
 * Engines that queued messages before `start()`. Messages sent before `start()` wait for it, which
 * is right, but a script that forgets `start()` and awaits a reply just exits (code 13 for an
 * unsettled top-level await) without a word; one line on stderr at exit says why. Weakly held, so
 * an engine dropped unstarted is not kept alive; one `exit` listener for all engines.
 */
const watched = new Set<WeakRef<Startable>>();
const seen = new WeakSet<Startable>();
let listening = false;

export function warnIfNeverStarted(engine: Startable): void {
  if (seen.has(engine)) return;
  seen.add(engine);
  watched.add(new WeakRef(engine));
  if (listening) return;
  listening = true;
  process.once('exit', () => {
    for (const ref of watched) {
      const engine = ref.deref();
      if (engine === undefined || !engine.hasForgottenMessages) continue;
      const count = engine.unprocessedMessagesCount;
      process.stderr.write(
        `[agentopera] ${count} message${count === 1 ? ' was' : 's were'} still queued in an engine that was never started: ` +
          'call engine.start() (or processNext()) to deliver them\n',
      );
    }
  });
}
