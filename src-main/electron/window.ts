import type { Logger } from '../engine/logger.js';
import { BUILT_APP, type AppOrigin } from './origin.js';
import type { WindowConstructor, WindowSurface } from './surface.js';

/**
 * The one window. The renderer is untrusted, so it gets no Node, runs in
 * Chromium's sandbox, is isolated from the preload's world, and reaches main
 * only through the contract methods the preload exposes. The settings are
 * spelled out here, where the window is made, for a reader and for
 * Electronegativity, which only sees what is written in the constructor call.
 */
export function createMainWindow(BrowserWindow: WindowConstructor, preloadPath: string): WindowSurface {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Vega',
    // Shown on ready-to-show, so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#111318',
    webPreferences: {
      // Reviewed: the preload exposes the contract's invoke and subscribe as
      // window.vega and nothing else (preload-api.ts, tests/electron/preload.test.ts).
      preload: preloadPath, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // No middle-click events in the page: a middle-click on a link cannot start a navigation of its own.
      disableBlinkFeatures: 'Auxclick',
      // On Windows and Linux the spellchecker downloads dictionaries from Google's servers: a local-first app contacts nobody unasked.
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

/**
 * Load the renderer (`app://vega/index.html`, or in development the dev
 * server's page); a failure is logged, not thrown (the window stays, and a
 * reload can retry).
 */
export function loadRenderer(win: WindowSurface, logger: Logger, home: AppOrigin = BUILT_APP): Promise<void> {
  return win.loadURL(home.entryUrl).catch((err: unknown) => {
    logger.error({ err }, `Could not load ${home.entryUrl}`);
  });
}

/** Crash-loop guard: at most this many automatic reloads per minute. */
const MAX_RELOADS_PER_MINUTE = 3;

/**
 * A renderer that crashes or is killed comes back by reloading the page; the
 * engine in main is unaffected. A renderer that keeps dying is left alone
 * rather than reloaded forever.
 */
export function reloadOnCrash(win: WindowSurface, logger: Logger, now: () => number = Date.now): void {
  const recent: number[] = [];
  win.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    const t = now();
    while (recent.length && t - (recent[0] ?? t) > 60_000) recent.shift();
    if (recent.length >= MAX_RELOADS_PER_MINUTE) {
      logger.error({ reason: details.reason }, 'Renderer keeps exiting; not reloading again');
      return;
    }
    recent.push(t);
    logger.warn({ reason: details.reason, exitCode: details.exitCode }, 'Renderer gone; reloading the window');
    win.webContents.reload();
  });
}
