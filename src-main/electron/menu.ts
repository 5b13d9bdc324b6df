import { randomUUID } from 'node:crypto';
import type { MenuItemConstructorOptions } from 'electron';
import type { VegaApp } from '../app/create-app.js';
import type { ElectronSurface } from './surface.js';

/** What the Help menu does; the host binds these to the engine and the shell. */
export interface MenuActions {
  openDataFolder(): void;
  exportDiagnostics(): void;
}

/**
 * The application menu. Electron's default menu offers Reload and the
 * developer tools: in a release build a reload throws away the page's state,
 * and the tools open the renderer (and what it holds) to anyone at the
 * keyboard. Only a development build keeps them.
 */
export function menuTemplate(opts: {
  readonly packaged: boolean;
  readonly platform: NodeJS.Platform;
  readonly actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const develop: MenuItemConstructorOptions[] = opts.packaged
    ? []
    : [{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }];
  return [
    ...(opts.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...develop,
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'Open data folder', click: () => opts.actions.openDataFolder() },
        { label: 'Export diagnostics', click: () => opts.actions.exportDiagnostics() },
      ],
    },
  ];
}

/** Set the menu, its Help items bound to this engine (the export is the window's `app:exportDiagnostics`). */
export function installMenu(electron: Pick<ElectronSurface, 'app' | 'Menu' | 'shell' | 'dialog'>, vega: VegaApp): void {
  const { shell, dialog } = electron;
  const logger = vega.rm.logger;
  const actions: MenuActions = {
    openDataFolder() {
      void shell.openPath(vega.rm.dataDir).then((problem) => {
        if (problem) logger.warn({ problem }, 'Could not open the data folder');
      });
    },
    exportDiagnostics() {
      Promise.resolve(vega.handlers['app:exportDiagnostics']({}, { requestId: randomUUID(), host: 'electron' })).then(
        ({ path }) => shell.showItemInFolder(path),
        (err: unknown) => dialog.showErrorBox('Vega could not export diagnostics', err instanceof Error ? err.message : String(err)),
      );
    },
  };
  const template = menuTemplate({ packaged: electron.app.isPackaged, platform: process.platform, actions });
  electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(template));
}
