// Main-process entry: the only main-side file that imports the real 'electron'.
// Everything else takes the ElectronSurface, so it can be tested without the binary.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, shell } from 'electron';
import path from 'node:path';
import { startElectronHost } from './host.js';
import type { ElectronSurface } from './surface.js';

// A typed assignment, on purpose: tsc checks the real API against the surface.
const electron: ElectronSurface = { app, BrowserWindow, ipcMain, protocol, session, shell, dialog, Menu, safeStorage };

// Bundled to out/main/index.cjs, so __dirname is out/main.
startElectronHost(electron, {
  preloadPath: path.join(__dirname, '..', 'preload', 'index.cjs'),
  rendererDir: path.join(__dirname, '..', 'renderer'),
  signals: process,
  // Set by `npm run dev` (Vite's loopback URL); the host ignores it in a packaged app.
  devServerUrl: app.isPackaged ? undefined : process.env.VEGA_DEV_SERVER_URL,
}).catch((err: unknown) => {
  console.error('Vega failed to start:', err);
  app.exit(1);
});
