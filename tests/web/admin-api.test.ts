import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';

let w: TempWebHost;

beforeEach(async () => {
  const staticDir = path.join(process.env.TMPDIR ?? '/tmp', `vega-static-${process.pid}`);
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Vega</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  w = await tempWebHost('', { staticDir });
});
afterEach(async () => w.dispose());

async function call(method: string, p: string, opts: { key?: string | null; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null) headers['x-api-key'] = opts.key ?? w.key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${w.host.url}${p}`, { method: method as 'GET', headers, body: opts.body });
  const text = await res.body.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, text, headers: res.headers };
}

describe('the seed admin API', () => {
  it('GET /admin/resources/health has the seed shape', async () => {
    const r = await call('GET', '/admin/resources/health');
    expect(r.status).toBe(200);
    // The seed's fields first; `problems` (what fails, with its fix) and `checks.storage` are added.
    expect(Object.keys(r.json)).toEqual(['status', 'checks', 'timestamp', 'problems']);
    expect(r.json.status).toBe('healthy');
    expect(r.json.checks).toEqual({
      healthy: true,
      http_client: true,
      config_cache: true,
      cleanup_tasks: expect.any(Number),
      storage: true,
    });
    expect(r.json.problems).toEqual([]);
    expect(new Date(r.json.timestamp).toISOString()).toBe(r.json.timestamp);
  });

  it('GET /admin/resources/stats keeps every seed field name', async () => {
    const r = await call('GET', '/admin/resources/stats');
    expect(r.status).toBe(200);
    for (const k of [
      'http_clients_created',
      'http_requests_made',
      'config_cache_hits',
      'config_cache_misses',
      'config_cache_hit_rate',
      'cleanup_tasks_registered',
      'startup_time',
      'shutdown_time',
      'uptime_seconds',
    ]) {
      expect(r.json.resource_manager).toHaveProperty(k);
    }
    expect(r.json.resource_manager.http_clients_created).toBe(1);
    expect(r.json.resource_manager.shutdown_time).toBeNull();
    for (const k of ['hits', 'misses', 'hit_rate', 'cache_age_seconds', 'cached']) expect(r.json.config_cache).toHaveProperty(k);
    expect(typeof r.json.timestamp).toBe('string');
  });

  it('POST /admin/resources/cache/invalidate answers the seed message and the next read is a miss', async () => {
    const before = (await call('GET', '/admin/resources/stats')).json.config_cache;
    const r = await call('POST', '/admin/resources/cache/invalidate');
    expect(r.json).toMatchObject({ status: 'success', message: 'Configuration cache invalidated successfully' });
    expect(r.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    await w.app.rm.config.get();
    const after = (await call('GET', '/admin/resources/stats')).json.config_cache;
    expect(after.misses).toBe(before.misses + 1);
  });
});

describe('auth and bad input', () => {
  it('no key and a wrong key get 401 JSON on every API route', async () => {
    for (const [m, p] of [
      ['GET', '/admin/resources/health'],
      ['GET', '/admin/resources/stats'],
      ['POST', '/admin/resources/cache/invalidate'],
      ['POST', '/chat'],
      ['GET', '/admin/nope'],
    ]) {
      for (const key of [null, 'wrong', `${w.key}x`, '']) {
        const r = await call(m!, p!, { key });
        expect(r.status, `${m} ${p} key=${key}`).toBe(401);
        expect(r.json.error.code).toBe('UNAUTHORIZED');
      }
    }
  });

  // POST /chat has the upload limit (tests/attachments/chat-route.test.ts); every other body stops at 1 MiB.
  it('an oversized body gets 413 without being read whole', async () => {
    const r = await call('POST', '/admin/models/pull', { body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('unknown API routes get 404 JSON; the server stays up', async () => {
    const r = await call('GET', '/admin/unknown');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('NOT_FOUND');
    expect((await call('GET', '/admin/resources/health')).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) on the loopback bind', async () => {
    const r = await call('GET', '/admin/resources/health', { headers: { host: 'evil.example:80' } });
    expect(r.status).toBe(421);
  });

  it('sends no CORS headers', async () => {
    const r = await call('GET', '/admin/resources/health', { headers: { origin: 'http://evil.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes a well-formed x-request-id and makes one otherwise', async () => {
    expect((await call('GET', '/admin/resources/health', { headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id']).toBe(
      'abc-123',
    );
    expect(
      (await call('GET', '/admin/resources/health', { headers: { 'x-request-id': 'bad id with spaces' } })).headers['x-request-id'],
    ).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('static files', () => {
  it('serves the UI without a key, with a CSP, and refuses path traversal', async () => {
    const r = await call('GET', '/', { key: null });
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await call('GET', '/assets/app.js', { key: null })).headers['content-type']).toContain('text/javascript');
    // A raw request line, so no client normalises the dots away.
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(w.host.port, '127.0.0.1', () =>
        s.write('GET /../../../../etc/passwd HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n'),
      );
      let out = '';
      s.on('data', (d) => (out += String(d)));
      s.on('end', () => resolve(out));
    });
    expect(raw).not.toContain('root:');
  });
});
