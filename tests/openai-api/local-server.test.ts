import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVegaApp, type VegaApp } from '../../src-main/app/create-app.js';
import { startConfiguredLocalServer } from '../../src-main/web/local-server.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';

let dir: string;
let ollama: OllamaStandIn;
let app: VegaApp | undefined;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-local-'));
  ollama = await startOllamaStandIn();
});
afterEach(async () => {
  await app?.rm.shutdown();
  app = undefined;
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on now (the setting takes a real port, not 0). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function desktop(env: string): Promise<VegaApp> {
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, `OLLAMA_HOST=${ollama.url}\n${env}`);
  app = await createVegaApp({ host: 'electron', envFile, env: { VEGA_DATA_DIR: path.join(dir, 'data') }, exit: () => undefined });
  return app;
}

describe('the desktop Local server (VEGA_LOCAL_SERVER_PORT)', () => {
  it('is off unless a port is set, and stays off without VEGA_API_KEY', async () => {
    expect(await startConfiguredLocalServer(await desktop('VEGA_API_KEY=k-0123456789\n'))).toBeNull();
    await app!.rm.shutdown();
    expect(await startConfiguredLocalServer(await desktop('VEGA_LOCAL_SERVER_PORT=1\n'))).toBeNull();
  });

  it('serves only the OpenAI-compatible API, on loopback, closed by the quit', async () => {
    const port = await freePort();
    const vega = await desktop(`VEGA_API_KEY=k-0123456789\nVEGA_LOCAL_SERVER_PORT=${port}\n`);
    const server = (await startConfiguredLocalServer(vega))!;
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'k-0123456789', maxRetries: 0 });
    const c = await client.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect(c.choices[0]!.message.content).toBe('You said: hi');
    for (const p of ['/admin/resources/stats', '/chat', '/metrics']) {
      const r = await request(`${server.url}${p}`, { headers: { 'x-api-key': 'k-0123456789' } });
      expect(r.statusCode, p).toBe(404);
      await r.body.dump();
    }
    const report = await vega.rm.shutdown();
    expect(report.find((s) => s.step === 'local-server')).toMatchObject({ ok: true });
    await expect(request(`${server.url}/v1/models`)).rejects.toThrow();
  });
});
