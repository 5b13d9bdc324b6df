/**
 * The renderer's one origin. Everything it loads comes from `app://vega/`;
 * anything else (a navigation, a redirect, an IPC sender) is foreign.
 * In development only (`npm run dev`, an unpackaged app) that one origin can
 * be Vite's dev server on a loopback port instead: see `appOrigin`.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'vega';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Where the window's page comes from: the one origin the guards and the IPC sender check accept. */
export interface AppOrigin {
  /** `app://vega`, or in development `http://127.0.0.1:PORT` (no trailing slash). */
  readonly origin: string;
  /** What the window loads. */
  readonly entryUrl: string;
}

/** The built renderer on `app://vega/`: every packaged app, and any run without a dev server. */
export const BUILT_APP: AppOrigin = { origin: APP_ORIGIN, entryUrl: APP_ENTRY_URL };

/** True for URLs under the app's origin. A prefix test with the slash, so `app://vega.evil/` (or `:51730/`) fails. */
export function isAppUrl(url: unknown, app: AppOrigin = BUILT_APP): boolean {
  return typeof url === 'string' && url.startsWith(`${app.origin}/`);
}

/**
 * The dev server's address as `npm run dev` passes it (VEGA_DEV_SERVER_URL):
 * exactly `http://127.0.0.1:PORT/` or `http://localhost:PORT/`. Anything
 * else (another host, https, a path, credentials, no port) is refused with
 * the reason, because whatever origin this names is trusted with the whole
 * contract over IPC.
 */
export function parseDevServerUrl(raw: string): { ok: true; app: AppOrigin } | { ok: false; reason: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (u.protocol !== 'http:') return { ok: false, reason: 'not http:' };
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost')
    return { ok: false, reason: 'not a loopback host (127.0.0.1 or localhost)' };
  if (!u.port) return { ok: false, reason: 'no port' };
  if (u.username || u.password || u.pathname !== '/' || u.search || u.hash)
    return { ok: false, reason: 'only http://HOST:PORT/ is accepted (no path, query or credentials)' };
  return { ok: true, app: { origin: u.origin, entryUrl: `${u.origin}/` } };
}
