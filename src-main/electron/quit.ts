import type { Quit } from '../app/quit.js';
import type { AppSurface } from './surface.js';

/**
 * Electron's door to the app's one quit (`VegaApp.quit`, which `app.exit`s
 * when its cleanup is over): every `before-quit` is held back, since
 * `app.exit` is the only way out and does not come back through here.
 * Returns the function that starts (or joins) the same quit.
 */
export function installQuitHandler(app: AppSurface, quit: Quit): () => Promise<void> {
  app.on('before-quit', (event) => {
    event.preventDefault();
    void quit('before-quit');
  });
  return () => quit('requested');
}
