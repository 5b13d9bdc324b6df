import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { startWebHost, type WebHost } from '../../src-main/web/host.js';
import { tempEngine, type TempEngine } from '../helpers/engine.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { until } from '../helpers/fault-kit.js';
import { connectApi } from '../helpers/ws-client.js';

// The .env goes missing, becomes unreadable, or is broken while Vega runs:
// the last good copy keeps being served, health says degraded, and Vega
// recovers by itself once the file is good again — no restart.

const KEY = 'config-fault-key-1234';
let dir = '';
let app: VegaApp | undefined;
let host: WebHost | undefined;
let ollama: OllamaStandIn | undefined;
let engine: TempEngine | undefined;
afterEach(async () => {
  await host?.close();
  await app?.rm.shutdown();
  await ollama?.close();
  await engine?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = host = ollama = engine = undefined;
  dir = '';
});

type Fault = { name: string; apply(file: string): void; undo(file: string): void };
const FAULTS: Fault[] = [
  { name: 'deleted', apply: (f) => rmSync(f), undo: () => {} },
  // Tests run as root, and chmod does not stop root: a directory in its place cannot be read by anyone.
  { name: 'replaced by a directory (unreadable)', apply: (f) => (rmSync(f), mkdirSync(f)), undo: (f) => rmSync(f, { recursive: true }) },
  {
    name: 'broken (a line that is not KEY=value)',
    apply: (f) => writeFileSync(f, `VEGA_API_KEY=${KEY}\nthis line is not a setting\n`),
    undo: () => {},
  },
  { name: 'broken (an unterminated quote)', apply: (f) => writeFileSync(f, `VEGA_API_KEY=${KEY}\nVEGA_MODEL="half\n`), undo: () => {} },
];

function envText(model: string): string {
  // A 50 ms TTL: every read after a pause goes back to the file.
  return `VEGA_API_KEY=${KEY}\nOLLAMA_HOST=${ollama!.url}\nVEGA_MODEL=${model}\nVEGA_CONFIG_TTL_S=0.05\n`;
}

async function admin(p: string, method: 'GET' | 'POST' = 'GET'): Promise<any> {
  const res = await request(`${host!.url}${p}`, { method, headers: { 'x-api-key': KEY } });
  return res.body.json();
}

describe('the .env fails mid-run (the web host as `npm run serve` runs it: watching the file)', () => {
  for (const fault of FAULTS) {
    it(`${fault.name}: the stale copy is served, health is degraded, chat keeps working; fixed → healthy with the new values`, async () => {
      ollama = await startOllamaStandIn({ models: ['model-before', 'model-after'] });
      dir = mkdtempSync(path.join(os.tmpdir(), 'vega-cfg-'));
      const file = path.join(dir, '.env');
      writeFileSync(file, envText('model-before'));
      app = await createVegaApp({ host: 'web', envFile: file, env: { VEGA_DATA_DIR: path.join(dir, 'data') }, watchConfig: true });
      host = await startWebHost({ app, port: 0, host: '127.0.0.1' });
      const c = await connectApi(host.url, KEY);
      const model = async () => (await c.api.config.get()).find((e) => e.key === 'VEGA_MODEL')?.value;
      expect(await model()).toBe('model-before');
      expect((await admin('/admin/resources/health')).status).toBe('healthy');

      fault.apply(file);
      // Reads go on (each a TTL miss, or the watcher's); each is served the last good copy.
      await until(async () => (expect(await model()).toBe('model-before'), app!.rm.config.degraded), 3_000, 'a failed reload');
      const health = await admin('/admin/resources/health');
      expect(health).toMatchObject({ status: 'degraded', checks: { healthy: false, http_client: true, config_cache: false } });
      const stats = await admin('/admin/resources/stats');
      expect(stats.config_cache.degraded).toBe(true);
      expect(stats.config_cache.last_error).toContain(file);
      // The app still works on the last good copy: a conversation gets the old model and an answer.
      const conv = await c.api.chat.create({});
      expect(conv.model).toBe('model-before');
      const res = await request(`${host.url}/chat`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'still there?' }),
      });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { response: string }).response).toBe('You said: still there?');
      // Degraded is not down: nothing restarts, the pool is the same.
      expect(app.rm.stats().httpClientsCreated).toBe(1);

      // Fixed: the watcher notices, the next read loads the new file, health is healthy again.
      fault.undo(file);
      writeFileSync(file, envText('model-after'));
      const fixedAt = Date.now();
      // (Should the watcher miss the event, a read after the 5 s retry pause recovers too.)
      await until(async () => (await model()) === 'model-after' && !app!.rm.config.degraded, 10_000, 'recovery');
      console.info(`[config] ${fault.name}: healthy again ${Date.now() - fixedAt} ms after the fix`);
      expect(await model()).toBe('model-after');
      expect((await admin('/admin/resources/health')).status).toBe('healthy');
      expect((await c.api.chat.create({})).model).toBe('model-after');
      await c.close();
    });
  }
});

describe('the .env fails mid-run, without a watcher (Electron, tests): TTL expiry only', () => {
  it('deleted, then a directory, then broken, then fixed: stale copy each time, recovered after the retry pause', async () => {
    engine = await tempEngine({ envText: 'VEGA_MODEL=good-1\nVEGA_HTTP_MAX_CONNECTIONS=7\n', configTtlMs: 20 });
    const cfg = engine.rm.config;
    const value = async () => (await cfg.get()).string('VEGA_MODEL');
    expect(await value()).toBe('good-1');
    for (const fault of FAULTS) {
      // A fresh good copy, then the fault.
      cfg.invalidate();
      writeFileSync(engine.envFile, 'VEGA_MODEL=good-1\nVEGA_HTTP_MAX_CONNECTIONS=7\n');
      expect(await value()).toBe('good-1');
      await new Promise((r) => setTimeout(r, 40));
      fault.apply(engine.envFile);
      await new Promise((r) => setTimeout(r, 40));
      expect(await value(), fault.name).toBe('good-1');
      expect(engine.rm.health().status, fault.name).toBe('degraded');
      expect((await cfg.get()).int('VEGA_HTTP_MAX_CONNECTIONS')).toBe(7);
      fault.undo(engine.envFile);
    }
    writeFileSync(engine.envFile, 'VEGA_MODEL=good-2\n');
    // No watcher: the failed load is trusted for its retry pause (5 s), then the file is read again.
    await until(async () => (await value()) === 'good-2', 10_000, 'the reload after the retry pause');
    expect(engine.rm.health().status).toBe('healthy');
  }, 15_000);

  // Guards a bug this suite found (since fixed): ConfigCache.invalidate() drops the last good copy,
  // so when the reload it forces fails (the admin pressed "invalidate" after breaking the file) the
  // fallback is the built-in defaults, not the stale copy: VEGA_MODEL, OLLAMA_HOST and every key
  // silently revert.
  it('invalidate while the file is broken: the stale copy is served, not the defaults', async () => {
    engine = await tempEngine({ envText: 'VEGA_MODEL=good-1\n' });
    expect((await engine.rm.config.get()).string('VEGA_MODEL')).toBe('good-1');
    writeFileSync(engine.envFile, 'not a setting\n');
    engine.rm.config.invalidate();
    expect((await engine.rm.config.get()).string('VEGA_MODEL')).toBe('good-1');
  });
});
