import type { Logger } from '../engine/logger.js';
import type { AppSurface } from './surface.js';

/** Where SIGINT/SIGTERM come from (the process; a fake emitter in tests). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface QuitOptions {
  readonly app: AppSurface;
  /** The engine's ordered, bounded cleanup (`rm.shutdown()`). */
  readonly shutdown: () => Promise<unknown>;
  readonly logger: Logger;
  readonly signals?: SignalSource;
  /**
   * Our own bound around the engine's: its steps are bounded, but if the
   * whole shutdown still never settles, the app must exit regardless.
   */
  readonly boundMs?: number;
}

export const QUIT_BOUND_MS = 20_000;

/**
 * Quitting runs the engine's cleanup before the process goes: the first
 * `before-quit` is held back (preventDefault), the cleanup runs once, then
 * `app.exit(0)` ends the process without firing `before-quit` again. Any
 * further quit (a second Cmd+Q, a signal) during cleanup joins the one
 * already running. Returns the function that starts (or joins) it.
 */
export function installQuitHandler({ app, shutdown, logger, signals, boundMs = QUIT_BOUND_MS }: QuitOptions): () => Promise<void> {
  let running: Promise<void> | undefined;

  const begin = (why: string): Promise<void> =>
    (running ??= (async () => {
      logger.info({ why }, 'Quitting: running cleanup');
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'bound'>((resolve) => {
        timer = setTimeout(resolve, boundMs, 'bound');
      });
      try {
        const outcome = await Promise.race([shutdown().then(() => 'done' as const), bound]);
        if (outcome === 'bound') logger.error({ boundMs }, 'Cleanup did not finish in time; exiting anyway');
      } catch (err) {
        logger.error({ err }, 'Cleanup failed; exiting anyway');
      } finally {
        clearTimeout(timer);
      }
      app.exit(0);
    })());

  app.on('before-quit', (event) => {
    // Always hold the default quit: app.exit() below is the only way out, and
    // it does not come back through here.
    event.preventDefault();
    void begin('before-quit');
  });
  // `on`, not `once`: a second Ctrl+C joins the running cleanup (bounded
  // above) instead of falling back to Node's default, which kills mid-write.
  signals?.on('SIGINT', () => void begin('SIGINT'));
  signals?.on('SIGTERM', () => void begin('SIGTERM'));
  return () => begin('requested');
}
