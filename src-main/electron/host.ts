import path from 'node:path';
import { createVegaApp, type VegaApp, type VegaAppOptions } from '../app/create-app.js';
import { KeychainTokenStore } from '../integrations/sso/token-store.js';
import { startConfiguredMetricsServer } from '../metrics/server.js';
import { startConfiguredLocalServer } from '../web/local-server.js';
import { guardAllWebContents, denyPermissions } from './guards.js';
import { forwardEvents, registerIpcHandlers } from './ipc-bridge.js';
import { safeStorageCipher } from './keychain.js';
import { installMenu } from './menu.js';
import { BUILT_APP, parseDevServerUrl, type AppOrigin } from './origin.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import type { SignalSource } from '../app/quit.js';
import { installQuitHandler } from './quit.js';
import { claimSingleInstance } from './single-instance.js';
import type { AppSurface, ElectronSurface, WindowSurface } from './surface.js';
import type { Logger } from '../engine/logger.js';
import { createMainWindow, loadRenderer, reloadOnCrash } from './window.js';

export interface ElectronHostOptions {
  /** out/preload/index.cjs */
  readonly preloadPath: string;
  /** out/renderer */
  readonly rendererDir: string;
  readonly signals?: SignalSource;
  /** Extra engine options on top of the host's (tests pass a temp env and .env file). */
  readonly appOptions?: Partial<Omit<VegaAppOptions, 'host'>>;
  readonly quitBoundMs?: number;
  /** VEGA_DEV_SERVER_URL, as `npm run dev` sets it: honoured only when the app is not packaged (see `chooseAppOrigin`). */
  readonly devServerUrl?: string;
}

export interface ElectronHost {
  readonly vega: VegaApp;
  window(): WindowSurface | null;
  /** Start (or join) the same quit path as `before-quit`. */
  quit(): Promise<void>;
}

/**
 * The page's one origin, decided once at start-up and handed to the window,
 * the guards and the IPC bridge. A packaged app always loads `app://vega/`
 * and never looks at `devServerUrl`. Unpackaged (`npm run dev`), a loopback
 * `http://127.0.0.1:PORT/` or `http://localhost:PORT/` replaces it: the
 * window loads Vite's page (hot reload), and that exact origin, nothing
 * else, passes the navigation, permission and sender checks. That page gets
 * no CSP header from our `app:` protocol (Vite serves it); it keeps only
 * the `<meta>` policy in index.html, with Vite's per-run nonce added.
 * Every window setting (contextIsolation, sandbox, no Node) stays the same.
 */
export function chooseAppOrigin(app: Pick<AppSurface, 'isPackaged'>, devServerUrl: string | undefined, logger: Logger): AppOrigin {
  if (app.isPackaged || !devServerUrl) return BUILT_APP;
  const dev = parseDevServerUrl(devServerUrl);
  if (!dev.ok) {
    logger.warn({ url: devServerUrl.slice(0, 200), reason: dev.reason }, 'Refused VEGA_DEV_SERVER_URL; loading the built renderer');
    return BUILT_APP;
  }
  logger.info({ url: dev.app.entryUrl }, 'Development: the window loads the dev server');
  return dev.app;
}

/**
 * The Electron host's glue, in the order Electron needs it. Everything that
 * is not about Electron (engine, services, handlers, events) comes from
 * `createVegaApp`, exactly as in the web host. Returns null when this
 * process must not go on (a second instance, or the engine failed to start).
 */
export async function startElectronHost(electron: ElectronSurface, opts: ElectronHostOptions): Promise<ElectronHost | null> {
  const { app } = electron;
  // Both must happen before 'ready'.
  registerAppScheme(electron.protocol);
  let win: WindowSurface | null = null;
  if (!claimSingleInstance(app, () => win)) return null;

  let vega: VegaApp;
  try {
    // Electron's per-user folder; VEGA_DATA_DIR (env or .env) still wins inside the engine.
    const userData = app.getPath('userData');
    // A packaged app has no meaningful working directory: settings live beside the data.
    vega = await createVegaApp({
      console: !app.isPackaged,
      defaultEnvFile: path.join(userData, '.env'),
      appProcesses: () =>
        app.getAppMetrics().map((m) => ({
          pid: m.pid,
          type: m.type,
          cpuPercent: Math.round(m.cpu.percentCPUUsage * 10) / 10,
          memory: m.memory.workingSetSize * 1024,
        })),
      ...opts.appOptions,
      host: 'electron',
      dataDir: opts.appOptions?.dataDir ?? userData,
      // Sign-in tokens sit beside the key that protects them: Electron's per-user folder.
      integrations: {
        tokenStore: new KeychainTokenStore(userData, safeStorageCipher(app, electron.safeStorage)),
        ...opts.appOptions?.integrations,
      },
      exit: (code) => app.exit(code),
      relaunch: () => app.relaunch(),
      signals: opts.signals,
      quitBoundMs: opts.quitBoundMs,
    });
  } catch (err) {
    // Without this box a double-clicked app would just vanish. Before ready,
    // Electron only prints it to stderr on Linux: wait for ready first.
    await app.whenReady();
    electron.dialog.showErrorBox('Vega could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return null;
  }
  const { rm } = vega;
  const logger = rm.logger;
  // VEGA_METRICS_PORT: the web host's GET /metrics on a loopback port (off by default); it never holds up the window.
  void startConfiguredMetricsServer(vega);
  // VEGA_LOCAL_SERVER_PORT: the OpenAI-compatible API for other apps, on a loopback port (off by default).
  void startConfiguredLocalServer(vega);

  const home = chooseAppOrigin(app, opts.devServerUrl, logger);

  const quit = installQuitHandler(app, vega.quit);
  // The engine lives as long as its one window.
  app.on('window-all-closed', () => app.quit());
  // Before any webContents exists, so none escapes the guards.
  guardAllWebContents(app, electron.shell, logger, home);
  // Before the page loads, so its first call finds a handler.
  registerIpcHandlers({ ipcMain: electron.ipcMain, handlers: vega.handlers, getWindow: () => win, logger, home });

  await app.whenReady();
  serveRenderer(electron.protocol, opts.rendererDir);
  denyPermissions(electron.session.defaultSession, logger, home);
  installMenu(electron, vega);

  const created = createMainWindow(electron.BrowserWindow, opts.preloadPath);
  win = created;
  created.on('closed', () => {
    if (win === created) win = null;
  });
  forwardEvents(vega.events, created);
  reloadOnCrash(created, logger);
  void loadRenderer(created, logger, home);
  return { vega, window: () => win, quit };
}
