import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmMetrics, MODELS_KEPT } from '../../src-main/engine/metrics.js';
import { LABEL_VALUES_KEPT } from '../../src-main/metrics/collected.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { startCountingServer, type CountingServer } from '../helpers/servers.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { parseExposition, total } from './exposition.js';
import { itWith } from './tools.js';

let web: TempWebHost | undefined;
let ollama: OllamaStandIn | undefined;
const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await web?.dispose();
  await ollama?.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  web = ollama = undefined;
});

async function scrape(headers: Record<string, string>): Promise<{ status: number; type: string; text: string }> {
  const res = await request(`${web!.host.url}/metrics`, { headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

async function chat(prompt: string): Promise<void> {
  const res = await request(`${web!.host.url}/chat`, {
    method: 'POST',
    headers: { 'x-api-key': web!.key, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}

async function adminStats(): Promise<any> {
  return (await request(`${web!.host.url}/admin/resources/stats`, { headers: { 'x-api-key': web!.key } })).body.json();
}

describe('GET /metrics', () => {
  it('needs the key like every route: none or a wrong one is 401; X-API-Key and Authorization: Bearer both work', async () => {
    web = await tempWebHost();
    for (const headers of [
      {},
      { 'x-api-key': 'wrong' },
      { authorization: 'Bearer wrong' },
      { authorization: `Basic ${web.key}` },
      { authorization: 'Bearer' },
    ] as Record<string, string>[]) {
      const r = await scrape(headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(JSON.parse(r.text).error.code).toBe('UNAUTHORIZED');
    }
    for (const headers of [{ 'x-api-key': web.key }, { authorization: `Bearer ${web.key}` }] as Record<string, string>[]) {
      const r = await scrape(headers);
      expect(r.status).toBe(200);
      expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    }
    // Any other method on the path is an API path too: the key first.
    expect((await request(`${web.host.url}/metrics`, { method: 'POST' })).statusCode).toBe(401);
  });

  it('answers gzip when asked, as Prometheus asks, with the same text', async () => {
    web = await tempWebHost();
    const plain = await scrape({ 'x-api-key': web.key });
    const res = await request(`${web.host.url}/metrics`, { headers: { 'x-api-key': web.key, 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    const zipped = Buffer.from(await res.body.arrayBuffer());
    expect(zipped.length).toBeLessThan(Buffer.byteLength(plain.text) / 2);
    // Values may move between two collections; the series named are the same.
    const help = (text: string) => text.split('\n').filter((l) => l.startsWith('# HELP'));
    expect(help(gunzipSync(zipped).toString('utf8'))).toEqual(help(plain.text));
  });

  it('after chat turns, the exposition carries the engine’s figures, equal to GET /admin/resources/stats', async () => {
    ollama = await startOllamaStandIn({ models: ['llama3.2'] });
    web = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`);
    for (const p of ['one', 'two', 'three']) await chat(p);
    const stats = await adminStats();
    const s = parseExposition((await scrape({ authorization: `Bearer ${web.key}` })).text);

    expect(total(s, 'vega_llm_turns_total', { provider: 'ollama', model: 'llama3.2' })).toBe(3);
    expect(total(s, 'vega_llm_turns_total')).toBe(stats.llm.turns);
    expect(total(s, 'vega_llm_tokens_total')).toBe(stats.llm.tokens);
    expect(total(s, 'vega_llm_time_to_first_token_seconds_count')).toBe(3);
    expect(total(s, 'vega_llm_tokens_per_second_count')).toBe(3);
    expect(total(s, 'vega_http_requests_total')).toBe(stats.resource_manager.http_requests_made);
    expect(total(s, 'vega_http_requests_total', { origin: ollama.url, status: '200' })).toBe(3);
    expect(total(s, 'vega_http_request_duration_seconds_count', { origin: ollama.url })).toBe(3);
    expect(total(s, 'vega_http_pool_connected', { origin: ollama.url })).toBe(
      stats.http_pools.find((p: any) => p.origin === ollama!.url).pool.connected,
    );
    expect(total(s, 'vega_http_clients_created')).toBe(1);
    expect(total(s, 'vega_config_cache_hits_total')).toBe(stats.config_cache.hits);
    expect(total(s, 'vega_config_cache_misses_total')).toBe(stats.config_cache.misses);
    expect(total(s, 'vega_config_cache_reloads_total')).toBe(stats.config_cache.loads);
    expect(total(s, 'vega_storage_conversations')).toBe(3);
    expect(total(s, 'vega_storage_messages')).toBe(6);
    expect(total(s, 'vega_storage_appends_total')).toBe(stats.storage.appends);
    expect(total(s, 'vega_storage_operation_duration_seconds_count', { operation: 'fsync' })).toBe(stats.storage.operations.fsync.count);
    expect(total(s, 'vega_health_check', { check: 'storage' })).toBe(1);
    // The process metrics prom-client collects by default.
    expect(s.some((x) => x.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(s.some((x) => x.name === 'nodejs_heap_size_used_bytes')).toBe(true);
    // Histogram buckets are cumulative and end at the count.
    const buckets = s.filter((x) => x.name === 'vega_http_request_duration_seconds_bucket' && x.labels.origin === ollama!.url);
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 3 });
  });

  itWith(
    'promtool',
    'a real scrape passes `promtool check metrics` (only prom-client’s own default gauges draw naming remarks)',
    async (promtool) => {
      ollama = await startOllamaStandIn({ models: ['llama3.2'] });
      web = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`);
      await chat('checked');
      const { text } = await scrape({ 'x-api-key': web.key });
      const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const remarks = `${run.stdout}${run.stderr}`.split('\n').filter(Boolean);
      // A parse error would name no metric, or ours: every remark is about prom-client's nodejs_active_*_total gauges.
      expect(
        remarks.filter(
          (r) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(r),
        ),
      ).toEqual([]);
      expect(text).toContain('vega_llm_turns_total{provider="ollama",model="llama3.2"} 1');
    },
  );

  it(`keeps label values bounded: past ${LABEL_VALUES_KEPT} origins the rest share origin="other", and every request is still counted`, async () => {
    web = await tempWebHost();
    const extra = 5;
    for (let i = 0; i < LABEL_VALUES_KEPT + extra; i++) servers.push(await startCountingServer());
    const dispatcher = web.app.rm.httpClient();
    for (const s of servers as CountingServer[]) await (await request(s.url, { dispatcher })).body.dump();
    const samples = parseExposition((await scrape({ 'x-api-key': web.key })).text).filter((x) => x.name === 'vega_http_requests_total');
    expect(new Set(samples.map((x) => x.labels.origin)).size).toBe(LABEL_VALUES_KEPT + 1);
    expect(total(samples, 'vega_http_requests_total', { origin: 'other' })).toBe(extra);
    expect(total(samples, 'vega_http_requests_total')).toBe(LABEL_VALUES_KEPT + extra);
  });

  it('counts the pool’s retries: a GET whose socket is reset is tried twice more; a POST never', async () => {
    web = await tempWebHost();
    const raw = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => raw.close(() => resolve())) });
    const origin = `http://127.0.0.1:${(raw.address() as net.AddressInfo).port}`;
    const dispatcher = web.app.rm.httpClient();
    for (const method of ['GET', 'POST'] as const) await expect(request(`${origin}/x`, { method, dispatcher })).rejects.toThrow();
    const s = parseExposition((await scrape({ 'x-api-key': web.key })).text);
    expect(total(s, 'vega_http_retries_total', { origin })).toBe(2);
    expect(total(s, 'vega_http_requests_total', { origin, status: 'none' })).toBe(2);
  });

  it('reports the phases of the last shutdown: the previous run’s, read back at start', async () => {
    web = await tempWebHost();
    const dataDir = web.app.rm.dataDir;
    expect(
      parseExposition((await scrape({ 'x-api-key': web.key })).text).filter((x) => x.name === 'vega_shutdown_phase_duration_seconds'),
    ).toEqual([]);
    await web.host.close();
    const report = await web.app.rm.shutdown();
    const { createVegaApp } = await import('../../src-main/app/create-app.js');
    const next = await createVegaApp({ host: 'web', envFile: `${web.dir}/.env`, env: { VEGA_DATA_DIR: dataDir } });
    try {
      const last = next.rm.lastShutdown()!;
      for (const phase of ['llm', 'resources', 'background'] as const) {
        const steps = report.filter((r) => r.phase === phase).reduce((a, r) => a + r.ms, 0);
        expect(last.phasesMs[phase]).toBeCloseTo(steps, 0);
      }
      const { appRegistry } = await import('../../src-main/metrics/endpoint.js');
      const s = parseExposition(await appRegistry(next).metrics());
      expect(s.filter((x) => x.name === 'vega_shutdown_phase_duration_seconds').map((x) => x.labels.phase)).toEqual([
        'llm',
        'resources',
        'background',
      ]);
      expect(total(s, 'vega_shutdown_phase_duration_seconds', { phase: 'resources' })).toBeCloseTo(last.phasesMs.resources / 1000, 6);
    } finally {
      await next.rm.shutdown();
    }
  });
});

describe('LLM figures by model', () => {
  it(`keep ${MODELS_KEPT} models apart at most; later ones are counted as model "other"`, () => {
    const llm = new LlmMetrics();
    for (let i = 0; i < MODELS_KEPT + 3; i++)
      llm.record({ ok: true, provider: 'ollama', model: `m${i}`, ttftMs: 10, tokens: 2, tokensPerSecond: 20 });
    llm.record({ ok: false, provider: 'ollama', model: 'm0' });
    const by = llm.byModel();
    expect(by).toHaveLength(MODELS_KEPT + 1);
    expect(by.find((m) => m.model === 'other')).toMatchObject({ turns: 3, tokens: 6 });
    expect(by.find((m) => m.model === 'm0')).toMatchObject({ turns: 2, failed: 1 });
    expect(llm.turns).toBe(MODELS_KEPT + 4);
  });
});
