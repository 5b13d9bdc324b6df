import type { ResourceManager } from '../../engine/resource-manager.js';
import { exportDiagnostics, readLogs } from '../diagnostics.js';
import type { Quit } from '../quit.js';
import type { HandlersOf } from '../router.js';

export interface AppHandlerOptions {
  readonly host: 'electron' | 'web';
  readonly version: string;
  /** Electron's `app.relaunch`; the web host has none: a command cannot start itself again. */
  readonly relaunch?: () => void;
  readonly quit: Quit;
}

/** `app:*`: the app itself, its logs, a diagnostics file and a restart. */
export function appHandlers(rm: ResourceManager, { host, version, relaunch, quit }: AppHandlerOptions): HandlersOf<'app'> {
  return {
    'app:info': () => ({ version, host, dataDir: rm.dataDir, platform: process.platform }),
    'app:logs': (q) => readLogs(rm, q),
    'app:exportDiagnostics': async () => ({ path: await exportDiagnostics(rm) }),
    'app:restart': () => {
      if (!relaunch) {
        return {
          restarting: false,
          message: 'Vega runs from a command here: stop it (Ctrl+C) and start it again (npm run serve) for these settings to apply.',
        };
      }
      // Electron starts the new instance once this one has exited, so the whole ordered quit runs first.
      relaunch();
      void quit('restart');
      return { restarting: true, message: 'Vega is restarting.' };
    },
  };
}
