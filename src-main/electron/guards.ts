import type { Logger } from '../engine/logger.js';
import { BUILT_APP, isAppUrl, type AppOrigin } from './origin.js';
import type {
  AppSurface,
  PermissionCheckHandler,
  PermissionRequestHandler,
  SessionSurface,
  ShellSurface,
  WebContentsSurface,
} from './surface.js';

/**
 * The renderer shows model output (markdown, links) that nobody vetted, so
 * every way a page can leave `app://vega/` is closed here: navigations,
 * redirects, popups, `<webview>` and browser permissions. `home` is the app's
 * one origin: `app://vega`, or in development Vite's loopback dev server.
 */

/** Only web links go to the OS browser; `file:`, `javascript:`, `smb:` and the like would run or mount things. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export function guardWebContents(contents: WebContentsSurface, shell: ShellSurface, logger: Logger, home: AppOrigin = BUILT_APP): void {
  const stayHome = (event: { preventDefault(): void; readonly url: string }, kind: string) => {
    if (isAppUrl(event.url, home)) return;
    event.preventDefault();
    logger.warn({ url: event.url.slice(0, 200) }, `Blocked ${kind} away from ${home.origin}`);
  };
  contents.on('will-navigate', (e) => stayHome(e, 'navigation'));
  contents.on('will-frame-navigate', (e) => stayHome(e, 'frame navigation'));
  contents.on('will-redirect', (e) => stayHome(e, 'redirect'));
  contents.on('will-attach-webview', (e) => {
    e.preventDefault();
    logger.warn('Blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (!openWebLink(shell, url, logger)) logger.warn({ url: url.slice(0, 200) }, 'Blocked a window.open');
    return { action: 'deny' };
  });
}

/**
 * Hand a link to the OS browser, if it is a web link; returns whether it
 * went. The check sits right above the call, so the one `openExternal` in
 * Vega is reviewed where it is made: the annotation on it records that
 * review for Electronegativity (tests/electron/electronegativity.test.ts
 * allows it only under this check).
 */
export function openWebLink(shell: ShellSurface, url: string, logger: Logger): boolean {
  if (!isExternalWebUrl(url)) return false;
  const opening = shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
  opening.catch((err: unknown) => logger.warn({ err }, 'Could not open a link in the browser'));
  return true;
}

/** Every webContents, including ones we did not create ourselves, gets the guards the moment it exists. */
export function guardAllWebContents(app: AppSurface, shell: ShellSurface, logger: Logger, home: AppOrigin = BUILT_APP): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, shell, logger, home));
}

/**
 * Permissions: denied unless listed. The one exception is writing to the
 * clipboard from our own page (the chat's "copy" buttons), which reads nothing.
 */
const ALLOWED_FOR_APP = new Set(['clipboard-sanitized-write']);

function allowed(permission: string, url: string | undefined, home: AppOrigin): boolean {
  return ALLOWED_FOR_APP.has(permission) && (isAppUrl(url, home) || url === home.origin);
}

export function denyPermissions(session: SessionSurface, logger: Logger, home: AppOrigin = BUILT_APP): void {
  const onRequest: PermissionRequestHandler = (_wc, permission, callback, details) => {
    const ok = allowed(permission, details.requestingUrl, home);
    if (!ok) logger.warn({ permission }, 'Denied a permission request');
    callback(ok);
  };
  const onCheck: PermissionCheckHandler = (_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin, home);
  session.setPermissionRequestHandler(onRequest);
  session.setPermissionCheckHandler(onCheck);
}
