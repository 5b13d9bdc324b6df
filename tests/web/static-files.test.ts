import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, isPageRoute } from '../../src-main/web/static-files.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

let w: TempWebHost;
let staticDir: string;
const app = 'export const app = "the app";\n'.repeat(50);

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'vega-static-'));
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Vega</title>');
  writeFileSync(path.join(staticDir, 'assets', 'index-abc.js'), 'console.log(1)');
  // As the build writes them: each copy holds the same text, compressed.
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), app);
  writeFileSync(path.join(staticDir, 'assets', 'app.js.br'), brotliCompressSync(app));
  writeFileSync(path.join(staticDir, 'assets', 'app.js.gz'), gzipSync(app));
  writeFileSync(path.join(staticDir, 'assets', 'gz-only.css'), 'body{}');
  writeFileSync(path.join(staticDir, 'assets', 'gz-only.css.gz'), gzipSync('body{}'));
  writeFileSync(path.join(staticDir, 'assets', 'app.js.map'), '{"version":3,"sources":["src-renderer/secret.ts"]}');
  w = await tempWebHost('', { staticDir });
});
afterAll(async () => {
  await w.dispose();
  rmSync(staticDir, { recursive: true, force: true });
});

async function get(p: string) {
  const res = await request(`${w.host.url}${p}`);
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

describe('the web host serves the built UI', () => {
  it('answers files that exist with their type', async () => {
    expect(await get('/assets/index-abc.js')).toMatchObject({
      status: 200,
      type: expect.stringContaining('text/javascript'),
      text: 'console.log(1)',
    });
    expect(await get('/')).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
  });

  it('lets a page route (a view, reloaded) fall back to index.html', async () => {
    for (const p of ['/settings', '/chat/4f1c', '/dashboard/'])
      expect(await get(p), p).toMatchObject({ status: 200, text: expect.stringContaining('<title>Vega</title>') });
  });

  it('answers a missing asset, or any missing file with an extension, with 404, not the app', async () => {
    for (const p of ['/assets/index-old.js', '/assets/style.css', '/assets', '/assets/', '/favicon.ico', '/robots.txt', '/chat/x.json']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.text, p).not.toContain('<title>Vega</title>');
    }
  });

  it('tells page routes from files by the path alone', () => {
    expect(['/', '/settings', '/a/b', '/..'].filter((p) => !isPageRoute(p))).toEqual([]);
    expect(['/x.js', '/assets/y', '/assets', '/a/b.map', '/a/../assets/z'].filter(isPageRoute)).toEqual([]);
  });
});

/** A GET over a real socket, the body left as sent (undici does not decode). */
async function raw(p: string, headers: Record<string, string> = {}) {
  const res = await request(`${w.host.url}${p}`, { headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

describe('compressed copies', () => {
  it('sends the brotli copy to a browser that takes it, with its encoding, type and length', async () => {
    const r = await raw('/assets/app.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(String(r.headers['content-type'])).toContain('text/javascript');
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(app.length);
    expect(brotliDecompressSync(r.body).toString()).toBe(app);
  });

  it('sends gzip where brotli is refused or has no copy, and the file itself to a client that takes neither', async () => {
    const gz = await raw('/assets/app.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(app);
    const only = await raw('/assets/gz-only.css', { 'accept-encoding': 'br, gzip' });
    expect(only.headers['content-encoding']).toBe('gzip');
    expect(String(only.headers['content-type'])).toContain('text/css');
    for (const accept of [undefined, 'identity', 'deflate', 'br;q=0, gzip;q=0', '*;q=0']) {
      const plain = await raw('/assets/app.js', accept ? { 'accept-encoding': accept } : {});
      expect(plain.headers['content-encoding'], accept).toBeUndefined();
      expect(plain.headers.vary, accept).toBe('Accept-Encoding');
      expect(plain.body.toString(), accept).toBe(app);
    }
  });

  it('ranks encodings by q-value, brotli first on a tie', () => {
    const names = (h: string | undefined) => acceptedEncodings(h).map((e) => e.name);
    expect(names('gzip, br')).toEqual(['br', 'gzip']);
    expect(names('br;q=0.5, gzip;q=0.8')).toEqual(['gzip', 'br']);
    expect(names('*')).toEqual(['br', 'gzip']);
    expect(names('gzip;q=0, *;q=0.1')).toEqual(['br']);
    expect(names('')).toEqual([]);
    expect(names('br;q=bogus')).toEqual([]);
  });

  it('never serves a source map or a compressed copy under its own name, and a missing file stays a 404 whatever it accepts', async () => {
    for (const p of ['/assets/app.js.map', '/assets/app.js.br', '/assets/app.js.gz', '/assets/missing.js', '/assets/missing.js.map']) {
      for (const accept of ['br, gzip', '']) {
        const r = await raw(p, { 'accept-encoding': accept, 'x-api-key': w.key });
        expect(r.status, `${p} ${accept}`).toBe(404);
        expect(r.headers['content-encoding'], p).toBeUndefined();
        expect(r.body.toString(), p).not.toContain('secret.ts');
      }
    }
  });
});
