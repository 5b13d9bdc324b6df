import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/**
 * A path the app itself may answer (a view, reloaded): no file extension and
 * not under /assets/. A missing script, style or image is a 404, so the
 * browser reports it missing instead of a MIME error on index.html.
 */
export function isPageRoute(urlPath: string): boolean {
  const p = path.posix.normalize('/' + urlPath);
  return p !== '/assets' && !p.startsWith('/assets/') && path.posix.extname(p) === '';
}

/**
 * Serve the built renderer. Paths are resolved inside `root` and anything
 * that escapes it is refused; unknown page routes fall back to index.html so
 * a reload on any view works; anything else unknown is not served (a 404).
 */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse): Promise<boolean> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (rel.includes('\0')) return false;
  let file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return false;
  let st = await stat(file).catch(() => undefined);
  if (!st || st.isDirectory()) {
    if (!isPageRoute(rel)) return false;
    file = path.join(root, 'index.html');
    st = await stat(file).catch(() => undefined);
    if (!st) return false;
  }
  // A symlink inside the root must not lead out of it (Electron's app: handler checks the same).
  const real = await realpath(file).catch(() => undefined);
  if (!real || !real.startsWith((await realpath(root)) + path.sep)) return false;
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'content-length': st.size,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
  });
  createReadStream(real).pipe(res);
  return true;
}
