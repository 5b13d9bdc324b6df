/**
 * The renderer's one origin. Everything it loads comes from `app://vega/`;
 * anything else (a navigation, a redirect, an IPC sender) is foreign.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'vega';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True for URLs under `app://vega/`. A prefix test with the slash, so `app://vega.evil/` fails. */
export function isAppUrl(url: unknown): boolean {
  return typeof url === 'string' && url.startsWith(`${APP_ORIGIN}/`);
}
