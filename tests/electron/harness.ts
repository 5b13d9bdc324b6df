import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVegaApi, type Transport, type VegaApi } from '../../src-shared/api.js';
import { startElectronHost, type ElectronHost } from '../../src-main/electron/host.js';
import { exposeVega } from '../../src-main/electron/preload-api.js';
import { createFakeElectron, FakeRenderer, type FakeElectron, type FakeWindow } from './fake-electron.js';

export function tempDir(prefix = 'vega-electron-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A tiny built renderer: what Vite leaves in out/renderer, in miniature. */
export function writeRenderer(dir: string): string {
  const root = path.join(dir, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Vega</title><script type="module" src="./assets/index.js"></script>');
  writeFileSync(path.join(root, 'assets', 'index.js'), 'console.log("vega")');
  writeFileSync(path.join(root, 'assets', 'index.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return root;
}

export interface FakeHost {
  readonly electron: FakeElectron;
  readonly host: ElectronHost;
  readonly win: FakeWindow;
  /** The window's preload world, after the preload ran. */
  readonly renderer: FakeRenderer;
  /** What the page sees as `window.vega`. */
  readonly api: VegaApi;
  readonly dir: string;
  dispose(): Promise<void>;
}

/**
 * The whole Electron host, started on the fake surface over a real engine in
 * a temp folder (its own .env and data dir, nothing from the real environment),
 * with the preload run in the window's fake preload world.
 */
export interface FakeHostOptions {
  tickMs?: number;
  quitBoundMs?: number;
  envText?: string;
  /** Set up the fake before the host starts (e.g. what safeStorage answers, or isPackaged). */
  before?: (electron: FakeElectron) => void;
  /** What main.ts would pass from VEGA_DEV_SERVER_URL. */
  devServerUrl?: string;
}

export async function startFakeHost(opts: FakeHostOptions = {}): Promise<FakeHost> {
  const dir = tempDir();
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, opts.envText ?? '');
  const electron = createFakeElectron(path.join(dir, 'user-data'));
  opts.before?.(electron);
  const starting = startElectronHost(electron, {
    preloadPath: path.join(dir, 'preload', 'index.cjs'),
    rendererDir: writeRenderer(dir),
    quitBoundMs: opts.quitBoundMs,
    devServerUrl: opts.devServerUrl,
    appOptions: { envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data') }, console: false, tickMs: opts.tickMs },
  });
  electron.app.makeReady();
  const host = await starting;
  if (!host) throw new Error('host did not start');
  const win = electron.windows[0];
  if (!win) throw new Error('no window');
  const renderer = new FakeRenderer(win.webContents, electron.ipcMain);
  exposeVega(renderer);
  return {
    electron,
    host,
    win,
    renderer,
    api: createVegaApi(renderer.exposed.get('vega') as Transport),
    dir,
    async dispose() {
      await host.quit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
