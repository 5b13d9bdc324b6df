import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/**
 * A path the app itself may answer (a view, reloaded): no file extension and
 * not under /assets/. A missing script, style or image is a 404, so the
 * browser reports it missing instead of a MIME error on index.html.
 */
export function isPageRoute(urlPath: string): boolean {
  const p = path.posix.normalize('/' + urlPath);
  return p !== '/assets' && !p.startsWith('/assets/') && path.posix.extname(p) === '';
}

/** The copies the renderer build writes beside each asset, best first. */
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

type Encoding = (typeof ENCODINGS)[number];

/**
 * The encodings a client accepts (RFC 9110 Accept-Encoding), best first:
 * by its q-values, ties going to the smaller brotli. `*` stands for any not
 * named; q=0 refuses one. Identity is left to the caller, always acceptable.
 */
export function acceptedEncodings(header: string | undefined): Encoding[] {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (e: Encoding) => q.get(e.name) ?? q.get('*') ?? 0;
  return ENCODINGS.filter((e) => weight(e) > 0).sort((a, b) => weight(b) - weight(a));
}

/** Inside `root` once symlinks are followed: a link must not lead out of it (Electron's app: handler checks the same). */
async function realInside(root: string, file: string): Promise<string | undefined> {
  const real = await realpath(file).catch(() => undefined);
  return real && real.startsWith((await realpath(root)) + path.sep) ? real : undefined;
}

/** The file to send: its best precompressed copy the client accepts, else the file itself. */
async function pickVariant(root: string, real: string, size: number, acceptEncoding: string | undefined) {
  for (const encoding of acceptedEncodings(acceptEncoding)) {
    const copy = await realInside(root, real + encoding.ext);
    const st = copy ? await stat(copy).catch(() => undefined) : undefined;
    if (copy && st?.isFile()) return { file: copy, size: st.size, encoding: encoding.name };
  }
  return { file: real, size, encoding: undefined };
}

/**
 * Serve the built renderer. Paths are resolved inside `root` and anything
 * that escapes it is refused; unknown page routes fall back to index.html so
 * a reload on any view works; anything else unknown is not served (a 404).
 * Source maps are never served (they carry the renderer's source), nor the
 * compressed copies under their own names: those go out as the encoding of
 * their file, picked by `acceptEncoding`.
 */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, acceptEncoding?: string): Promise<boolean> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (rel.includes('\0')) return false;
  if (['.map', ...ENCODINGS.map((e) => e.ext)].includes(path.posix.extname(rel))) return false;
  let file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return false;
  let st = await stat(file).catch(() => undefined);
  if (!st || st.isDirectory()) {
    if (!isPageRoute(rel)) return false;
    file = path.join(root, 'index.html');
    st = await stat(file).catch(() => undefined);
    if (!st) return false;
  }
  const real = await realInside(root, file);
  if (!real) return false;
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const sent = await pickVariant(root, real, st.size, acceptEncoding);
  res.writeHead(200, {
    'content-type': type,
    'content-length': sent.size,
    ...(sent.encoding ? { 'content-encoding': sent.encoding } : {}),
    // Caches keep one copy per encoding: the same path answers brotli, gzip or plain.
    vary: 'Accept-Encoding',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
  });
  createReadStream(sent.file).pipe(res);
  return true;
}
