import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './origin.js';
import type { ProtocolSurface } from './surface.js';

/**
 * The renderer is served from `app://vega/` rather than `file://`: a file
 * URL's origin is opaque and shared by every file on disk, while a standard,
 * secure custom scheme gives the page a real origin for CSP `'self'`, storage
 * and the sender check on IPC.
 */

/** The headers on every `app:` answer, beside its content type. */
const APP_HEADERS = { 'x-content-type-options': 'nosniff', 'content-security-policy': '' };
// The policy is written out, whole, where the header is set: Electronegativity's
// CSP check reads a string assigned to this header name, and grades it.
APP_HEADERS['content-security-policy'] =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const CSP = APP_HEADERS['content-security-policy'];

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Must run before the app is ready (Electron's rule). `standard` gives
 * relative URLs and a real origin; `secure` makes it a secure context;
 * `corsEnabled` + `supportFetchAPI` let Vite's `<script type="module"
 * crossorigin>` load; no `bypassCSP`, so our CSP header applies.
 */
export function registerAppScheme(protocol: ProtocolSurface): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...APP_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Map a request URL to a file under `root`, or null when it points anywhere
 * else. Chromium normalises `..` segments before we see the URL, but encoded
 * separators (`..%2f`), backslashes and NULs survive to here, so the decoded
 * path is checked again after resolving.
 */
export function resolveAppPath(root: string, rawUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password || url.port) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel.split('/').some((seg) => seg === '..')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

/** The `app:` handler: files from `root` only, each with its MIME type and the CSP. */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const file = resolveAppPath(root, request.url);
    if (!file) return plain(403, 'Forbidden');
    try {
      // A symlink inside out/renderer must not lead outside it either.
      const [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
      if (!real.startsWith(realRoot + path.sep)) return plain(403, 'Forbidden');
      const body = await readFile(real);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { ...APP_HEADERS, 'content-type': mimeType(real), 'cache-control': 'no-cache' },
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? plain(404, 'Not found') : plain(500, 'Could not read the file');
    }
  };
}

/** After ready: serve the built renderer on `app://vega/`. */
export function serveRenderer(protocol: ProtocolSurface, root: string): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(root));
}
