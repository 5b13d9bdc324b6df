import path from 'node:path';
import { createVegaApp, type VegaApp, type VegaAppOptions } from '../app/create-app.js';
import { KeychainTokenStore } from '../integrations/sso/token-store.js';
import { startConfiguredMetricsServer } from '../metrics/server.js';
import { startConfiguredLocalServer } from '../web/local-server.js';
import { guardAllWebContents, denyPermissions } from './guards.js';
import { forwardEvents, registerIpcHandlers } from './ipc-bridge.js';
import { safeStorageCipher } from './keychain.js';
import { installMenu } from './menu.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import type { SignalSource } from '../app/quit.js';
import { installQuitHandler } from './quit.js';
import { claimSingleInstance } from './single-instance.js';
import type { ElectronSurface, WindowSurface } from './surface.js';
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
}

export interface ElectronHost {
  readonly vega: VegaApp;
  window(): WindowSurface | null;
  /** Start (or join) the same quit path as `before-quit`. */
  quit(): Promise<void>;
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

  const quit = installQuitHandler(app, vega.quit);
  // The engine lives as long as its one window.
  app.on('window-all-closed', () => app.quit());
  // Before any webContents exists, so none escapes the guards.
  guardAllWebContents(app, electron.shell, logger);
  // Before the page loads, so its first call finds a handler.
  registerIpcHandlers({ ipcMain: electron.ipcMain, handlers: vega.handlers, getWindow: () => win, logger });

  await app.whenReady();
  serveRenderer(electron.protocol, opts.rendererDir);
  denyPermissions(electron.session.defaultSession, logger);
  installMenu(electron, vega);

  const created = createMainWindow(electron.BrowserWindow, opts.preloadPath);
  win = created;
  created.on('closed', () => {
    if (win === created) win = null;
  });
  forwardEvents(vega.events, created);
  reloadOnCrash(created, logger);
  void loadRenderer(created, logger);
  return { vega, window: () => win, quit };
}
