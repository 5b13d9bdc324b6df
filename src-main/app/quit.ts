import { withDeadline } from '../engine/deadline.js';
import type { Logger } from '../engine/logger.js';

/** Where SIGINT/SIGTERM come from (the process; a fake emitter in tests). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface QuitOptions {
  /** The engine's ordered cleanup (`rm.shutdown()`): its steps are bounded one by one. */
  readonly shutdown: () => Promise<unknown>;
  readonly logger: Logger;
  /** Ends the process once cleanup is over: `process.exit`, or Electron's `app.exit`. */
  readonly exit: (code: number) => void;
  readonly signals?: SignalSource;
  /**
   * Our own bound around the engine's: if the whole shutdown still never
   * settles (a step that blocks the loop between awaits), the process goes regardless.
   */
  readonly boundMs?: number;
}

/** Start (or join) the quit; `why` goes into the log. */
export type Quit = (why: string) => Promise<void>;

export const QUIT_BOUND_MS = 20_000;

/**
 * The one way out of Vega, for both hosts: cleanup runs once, bounded, and
 * the process exits 0 whatever a step did. A second request (a second
 * Ctrl+C, Cmd+Q during cleanup) joins the quit already running.
 */
export function createQuit({ shutdown, logger, exit, signals, boundMs = QUIT_BOUND_MS }: QuitOptions): Quit {
  let running: Promise<void> | undefined;
  const quit: Quit = (why) =>
    (running ??= (async () => {
      logger.info({ why }, 'Quitting: running cleanup');
      try {
        await withDeadline(boundMs, () => shutdown(), {
          onLate: () => logger.error({ boundMs }, 'Cleanup did not finish in time; exiting anyway'),
        });
      } catch (err) {
        logger.error({ err }, 'Cleanup failed; exiting anyway');
      }
      exit(0);
    })());
  // `on`, not `once`: a second signal joins the running cleanup (bounded
  // above) instead of falling back to Node's default, which kills mid-write.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    signals?.on(signal, () => {
      logger.info(`${signal} received`);
      void quit(signal);
    });
  }
  return quit;
}
