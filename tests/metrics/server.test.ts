import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { startConfiguredMetricsServer } from '../../src-main/metrics/server.js';
import { readLogs } from '../../src-main/app/diagnostics.js';

let app: VegaApp | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.rm.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = dir = undefined;
});

/** The desktop app's engine (host 'electron', without Electron) over a temp folder and .env. */
async function desktopApp(envText: string): Promise<VegaApp> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-metrics-'));
  writeFileSync(path.join(dir, '.env'), envText);
  app = await createVegaApp({ host: 'electron', envFile: path.join(dir, '.env'), env: { VEGA_DATA_DIR: path.join(dir, 'data') } });
  return app;
}

describe('VEGA_METRICS_PORT: the desktop app’s metrics endpoint', () => {
  it('is off by default', async () => {
    expect(await startConfiguredMetricsServer(await desktopApp(''))).toBeNull();
  });

  it('stays off without VEGA_API_KEY, and says why in the log', async () => {
    const a = await desktopApp('VEGA_METRICS_PORT=1\n');
    expect(await startConfiguredMetricsServer(a)).toBeNull();
    expect((await readLogs(a.rm, { level: 'warn' })).map((l) => l.msg)).toContain(
      'VEGA_METRICS_PORT is set but VEGA_API_KEY is not: the metrics endpoint stays off (it needs the key Prometheus will send).',
    );
  });

  it('serves GET /metrics on loopback with the key, nothing else; it closes with the app', async () => {
    // Port 0 is not a valid setting; a free port is found by binding one first.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));

    const a = await desktopApp(`VEGA_METRICS_PORT=${port}\nVEGA_API_KEY=desktop-key-0123456789\n`);
    const server = (await startConfiguredMetricsServer(a))!;
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
    const get = async (p: string, headers: Record<string, string> = {}) => {
      const res = await request(`${server.url}${p}`, { headers });
      return { status: res.statusCode, text: await res.body.text() };
    };
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await get('/metrics', { authorization: 'Bearer desktop-key-0123456789' });
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/^vega_http_clients_created 1$/m);
    expect((await get('/admin/resources/stats', { 'x-api-key': 'desktop-key-0123456789' })).status).toBe(404);
    // A DNS-rebinding page names another host: refused.
    expect((await get('/metrics', { 'x-api-key': 'desktop-key-0123456789', host: `evil.example:${port}` })).status).toBe(421);

    await a.rm.shutdown();
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve('connected'));
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? ''));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('a port already in use is logged, not fatal', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const a = await desktopApp(`VEGA_METRICS_PORT=${(busy.address() as { port: number }).port}\nVEGA_API_KEY=desktop-key-0123456789\n`);
      expect(await startConfiguredMetricsServer(a)).toBeNull();
      expect((await readLogs(a.rm, { level: 'error' })).map((l) => l.msg)).toContain(
        'The metrics endpoint could not start (VEGA_METRICS_PORT)',
      );
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
