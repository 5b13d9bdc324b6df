import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { spawnServe } from '../helpers/serve-proc.js';

// The reference note's manual test steps, automated against `npm run serve`
// (scripts/serve.mjs, run as its own process) and a stand-in Ollama.
const root = path.resolve(__dirname, '../..');
const KEY = 'seed-steps-key-5d1e';
let ollama: OllamaStandIn;
let proc: ChildProcess;
let out = '';
let base = '';
let dir = '';

beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale', '--quiet'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  ollama = await startOllamaStandIn({ models: ['llama3.2'] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-seed-'));
  writeFileSync(path.join(dir, '.env'), `OLLAMA_HOST=${ollama.url}\n`);
  proc = spawnServe(dir, KEY);
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const end = Date.now() + 30_000;
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    if (Date.now() > end || proc.exitCode !== null) throw new Error(`serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
}, 180_000);

afterAll(async () => {
  if (proc.exitCode === null) proc.kill('SIGKILL');
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', p: string, opts: { key?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.key) headers['x-api-key'] = opts.key;
  if (opts.body) headers['content-type'] = 'application/json';
  const res = await request(`${base}${p}`, { method, headers, body: opts.body ? JSON.stringify(opts.body) : undefined });
  return { status: res.statusCode, json: (await res.body.json()) as any };
}

describe('the seed manual steps against npm run serve', () => {
  it('1. starts and logs the resource manager initialisation', () => {
    expect(out).toContain('✓ Resource manager initialized');
    // The key is printed once, in the address to open, and never logged.
    expect(out.split('\n').filter((l) => l.includes(KEY))).toEqual([
      expect.stringMatching(/Open the app: +http:\/\/127\.0\.0\.1:\d+\/\?token=/),
    ]);
  });

  it('2. health needs the key', async () => {
    expect((await call('GET', '/admin/resources/health')).status).toBe(401);
    const h = await call('GET', '/admin/resources/health', { key: KEY });
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ status: 'healthy', checks: { healthy: true, http_client: true, config_cache: true } });
  });

  it('3–4. ten /chat requests share one pooled client and at most two connections', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await call('POST', '/chat', { key: KEY, body: { prompt: 'test' } });
      expect(r.status).toBe(200);
      expect(r.json.response).toBe('You said: test');
    }
    const stats = (await call('GET', '/admin/resources/stats', { key: KEY })).json;
    expect(stats.resource_manager.http_clients_created).toBe(1);
    expect(stats.resource_manager.http_requests_made).toBeGreaterThanOrEqual(10);
    expect(ollama.accepted()).toBeLessThanOrEqual(2);
  });

  it('6. invalidating the cache answers the seed message; the next read is a miss', async () => {
    const before = (await call('GET', '/admin/resources/stats', { key: KEY })).json.config_cache.misses;
    const r = await call('POST', '/admin/resources/cache/invalidate', { key: KEY });
    expect(r.json).toMatchObject({ status: 'success', message: 'Configuration cache invalidated successfully' });
    await call('POST', '/chat', { key: KEY, body: { prompt: 'again' } });
    expect((await call('GET', '/admin/resources/stats', { key: KEY })).json.config_cache.misses).toBeGreaterThan(before);
  });

  it('5. SIGTERM runs the ordered shutdown and exits 0', async () => {
    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
    const lines = [
      'Starting graceful shutdown...',
      '✓ LLM providers shut down',
      '✓ Resource manager shut down',
      '✓ Background processes stopped',
      'Shutdown complete',
    ];
    const at = lines.map((l) => out.indexOf(l));
    expect(
      at.every((i) => i >= 0),
      out,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(ollama.open()).toBe(0);
  });
});
