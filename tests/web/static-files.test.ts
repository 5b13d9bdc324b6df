import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPageRoute } from '../../src-main/web/static-files.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

let w: TempWebHost;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'vega-static-'));
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Vega</title>');
  writeFileSync(path.join(staticDir, 'assets', 'index-abc.js'), 'console.log(1)');
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
