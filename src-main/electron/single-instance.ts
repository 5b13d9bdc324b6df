import type { AppSurface, WindowSurface } from './surface.js';

/**
 * One Vega per user: a second launch hands over to the first (which comes to
 * the front) and quits. Two engines would fight over the same data folder.
 * Returns false when this process is the second one and must not go on.
 */
export function claimSingleInstance(app: AppSurface, getWindow: () => WindowSurface | null): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  return true;
}
