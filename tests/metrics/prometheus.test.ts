import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect } from 'vitest';
import { until } from '../helpers/fault-kit.js';
import { startOllamaStandIn, type OllamaStandIn } from '../helpers/ollama-standin.js';
import { tempWebHost, type TempWebHost } from '../helpers/web.js';
import { itWith } from './tools.js';

let web: TempWebHost | undefined;
let ollama: OllamaStandIn | undefined;
let prometheus: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    const forced = setTimeout(() => prometheus?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
  await web?.dispose();
  await ollama?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  web = ollama = prometheus = dir = undefined;
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Prometheus on 127.0.0.1 with a temp store, scraping only the web host, every second, with the key as a bearer token. */
async function startPrometheus(binary: string, target: URL, key: string): Promise<string> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vega-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: vega',
      '    metrics_path: /metrics',
      '    authorization:',
      '      type: Bearer',
      `      credentials: ${key}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  prometheus = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  prometheus.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const api = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (prometheus!.exitCode !== null) throw new Error(`prometheus exited (${prometheus!.exitCode}): ${log}`);
      return (await request(`${api}/-/ready`).catch(() => undefined))?.statusCode === 200;
    },
    20_000,
    'Prometheus to be ready',
    100,
  );
  return api;
}

/** One number from Prometheus's HTTP API (an instant query that yields one sample), or undefined. */
async function query(api: string, promql: string): Promise<number | undefined> {
  const res = await request(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.body.json()) as { status: string; data: { result: { value: [number, string] }[] } };
  expect(body.status).toBe('success');
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

describe('a real Prometheus scraping the web host', () => {
  itWith(
    'prometheus',
    'after chat turns through the Ollama stand-in, its vega_… series agree with GET /admin/resources/stats',
    async (binary) => {
      ollama = await startOllamaStandIn({ models: ['llama3.2'] });
      web = await tempWebHost(`OLLAMA_HOST=${ollama.url}\n`);
      for (const prompt of ['first', 'second', 'third']) {
        const res = await request(`${web.host.url}/chat`, {
          method: 'POST',
          headers: { 'x-api-key': web.key, 'content-type': 'application/json' },
          body: JSON.stringify({ prompt }),
        });
        expect(res.statusCode).toBe(200);
        await res.body.dump();
      }
      const stats = (await (
        await request(`${web.host.url}/admin/resources/stats`, { headers: { 'x-api-key': web.key } })
      ).body.json()) as any;

      const api = await startPrometheus(binary, new URL(web.host.url), web.key);
      // The target is up (the bearer key was accepted) once a scrape holds the three turns.
      await until(async () => (await query(api, 'sum(vega_llm_turns_total)')) === 3, 30_000, 'a scrape with the three turns', 250);
      expect(await query(api, 'up{job="vega"}')).toBe(1);

      expect(await query(api, 'sum(vega_llm_turns_total)')).toBe(stats.llm.turns);
      expect(await query(api, 'sum(vega_llm_tokens_total)')).toBe(stats.llm.tokens);
      expect(await query(api, 'sum(vega_llm_time_to_first_token_seconds_count{provider="ollama",model="llama3.2"})')).toBe(3);
      expect(await query(api, 'sum(vega_http_requests_total)')).toBe(stats.resource_manager.http_requests_made);
      expect(await query(api, `sum(vega_http_requests_total{origin="${ollama.url}",status="200"})`)).toBe(3);
      expect(await query(api, 'vega_http_clients_created')).toBe(stats.resource_manager.http_clients_created);
      expect(await query(api, 'vega_config_cache_misses_total')).toBe(stats.config_cache.misses);
      expect(await query(api, 'vega_storage_conversations')).toBe(stats.storage.conversations);
      expect(await query(api, 'vega_storage_appends_total')).toBe(stats.storage.appends);
      expect(await query(api, 'sum(vega_storage_operation_duration_seconds_count{operation="fsync"})')).toBe(
        stats.storage.operations.fsync.count,
      );
      // And a quantile, computed by Prometheus from our buckets.
      expect(await query(api, 'histogram_quantile(0.5, sum by (le) (vega_llm_time_to_first_token_seconds_bucket))')).toBeGreaterThan(0);
    },
    60_000,
  );
});
