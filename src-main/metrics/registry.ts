import { collectDefaultMetrics, Registry } from 'prom-client';
import type { IntegrationStatsValue } from '../../src-shared/contract.js';
import type { McpSnapshot } from '../../src-shared/mcp.js';
import { CLEANUP_PHASES } from '../../src-shared/resources.js';
import { STORAGE_OPS } from '../../src-shared/storage.js';
import { Histogram as EngineHistogram } from '../engine/histogram.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { capped, collectedCounter, collectedGauge, collectedHistogram, merged, OTHER, type Labels, type Sample } from './collected.js';

/** Where the figures come from: the engine, and the tool sources the app has. */
export interface MetricsSources {
  readonly rm: ResourceManager;
  readonly integrations?: () => readonly IntegrationStatsValue[];
  /** The MCP servers' figures, where the app runs MCP servers. */
  readonly mcp?: () => McpSnapshot;
}

// Bounds in seconds (tokens per second for throughput), spread over what each measures.
const REQUEST_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FIRST_TOKEN_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
const TOKENS_PER_S = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const STORAGE_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const POOL_GAUGES = ['connected', 'free', 'pending', 'queued', 'running'] as const;

/**
 * The Prometheus registry of one app: its own Registry (never prom-client's
 * global one), every value collected at scrape time from the engine's
 * counters, merged with the process metrics prom-client collects by default.
 */
export function createMetricsRegistry(s: MetricsSources): Registry {
  const registry = new Registry();
  httpMetrics(registry, s.rm);
  configMetrics(registry, s.rm);
  llmMetrics(registry, s.rm);
  apiMetrics(registry, s.rm);
  toolMetrics(registry, s);
  storageMetrics(registry, s.rm);
  lifecycleMetrics(registry, s.rm);
  return Registry.merge([registry, processRegistry()]);
}

let processMetrics: Registry | undefined;

/** One per process: they describe the process, and their collectors (GC observers) must not pile up per app. */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

function httpMetrics(r: Registry, rm: ResourceManager): void {
  const originLabel = () => capped(rm.originCounters().keys());
  collectedGauge(r, { name: 'vega_http_clients_created', help: 'Pooled HTTP clients created (the seed expects exactly 1).' }, () => [
    [{}, rm.stats().httpClientsCreated],
  ]);
  collectedGauge(
    r,
    { name: 'vega_http_connection_limit', help: 'Connections the pool may open per origin (VEGA_HTTP_MAX_CONNECTIONS).' },
    () => [[{}, rm.httpSettings.maxConnections]],
  );
  for (const key of POOL_GAUGES) {
    collectedGauge(
      r,
      { name: `vega_http_pool_${key}`, help: `Pool sockets or requests ${key}, per origin (undici pool stats).`, labelNames: ['origin'] },
      () => {
        const label = originLabel();
        return merged(rm.origins().map((o): Sample<'origin'> => [{ origin: label(o.origin, o.origin) }, o.pool[key]]));
      },
    );
  }
  collectedCounter(
    r,
    {
      name: 'vega_http_requests_total',
      help: 'Outbound requests completed, by origin and HTTP status ("none": no response).',
      labelNames: ['origin', 'status'],
    },
    () => {
      const label = originLabel();
      const out: Sample<'origin' | 'status'>[] = [];
      for (const [origin, o] of rm.originCounters()) {
        for (const [status, n] of o.statuses) out.push([{ origin: label(origin, origin), status: status ? String(status) : 'none' }, n]);
      }
      return merged(out);
    },
  );
  collectedCounter(
    r,
    { name: 'vega_http_retries_total', help: 'Retries after a dead kept-alive socket, by origin.', labelNames: ['origin'] },
    () => {
      const label = originLabel();
      return merged([...rm.originCounters()].map(([origin, o]): Sample<'origin'> => [{ origin: label(origin, origin) }, o.retries]));
    },
  );
  for (const [name, help, key] of [
    ['vega_http_connections_opened_total', 'Sockets the pool opened, by origin.', 'connectionsOpened'],
    ['vega_http_connections_closed_total', 'Sockets the pool closed, by origin.', 'connectionsClosed'],
  ] as const) {
    collectedCounter(r, { name, help, labelNames: ['origin'] }, () => {
      const label = originLabel();
      return merged([...rm.originCounters()].map(([origin, o]): Sample<'origin'> => [{ origin: label(origin, origin) }, o[key]]));
    });
  }
  collectedHistogram(
    r,
    {
      name: 'vega_http_request_duration_seconds',
      help: 'Outbound request duration, by origin.',
      labelNames: ['origin'],
      buckets: REQUEST_S,
      scale: 1000,
    },
    () => {
      const label = originLabel();
      return mergedHistograms([...rm.originCounters()].map(([origin, o]) => [{ origin: label(origin, origin) }, o.total] as const));
    },
  );
}

function configMetrics(r: Registry, rm: ResourceManager): void {
  const stats = () => rm.config.stats();
  collectedCounter(r, { name: 'vega_config_cache_hits_total', help: 'Config reads served from the cache.' }, () => [[{}, stats().hits]]);
  collectedCounter(r, { name: 'vega_config_cache_misses_total', help: 'Config reads that had to load the .env file.' }, () => [
    [{}, stats().misses],
  ]);
  collectedCounter(
    r,
    { name: 'vega_config_cache_reloads_total', help: 'Loads of the .env file (expiry, invalidation, an edit on disk).' },
    () => [[{}, stats().loads]],
  );
  collectedCounter(r, { name: 'vega_config_cache_errors_total', help: 'Loads that failed (the last good copy was served).' }, () => [
    [{}, rm.config.errorCount],
  ]);
}

function llmMetrics(r: Registry, rm: ResourceManager): void {
  const byModel = () => rm.llm.byModel();
  const labels = (m: { provider: string; model: string }): Labels<'provider' | 'model'> => ({ provider: m.provider, model: m.model });
  const spec = (name: string, help: string) => ({ name, help, labelNames: ['provider', 'model'] as const });
  collectedCounter(r, spec('vega_llm_turns_total', 'Chat turns (one model answer each), by provider and model.'), () =>
    byModel().map((m) => [labels(m), m.turns] as const),
  );
  collectedCounter(r, spec('vega_llm_turns_failed_total', 'Chat turns that ended in an error.'), () =>
    byModel().map((m) => [labels(m), m.failed] as const),
  );
  collectedCounter(r, spec('vega_llm_tokens_total', 'Tokens generated.'), () => byModel().map((m) => [labels(m), m.tokens] as const));
  collectedHistogram(
    r,
    {
      ...spec('vega_llm_time_to_first_token_seconds', 'Time from the request to the first streamed token.'),
      buckets: FIRST_TOKEN_S,
      scale: 1000,
    },
    () => byModel().map((m) => [labels(m), m.ttftMs] as const),
  );
  collectedHistogram(r, { ...spec('vega_llm_tokens_per_second', 'Generation speed of each turn.'), buckets: TOKENS_PER_S, scale: 1 }, () =>
    byModel().map((m) => [labels(m), m.tokensPerSecond] as const),
  );
}

/** The OpenAI-compatible API's callers (a bounded set of clients, named from their User-Agent). */
function apiMetrics(r: Registry, rm: ResourceManager): void {
  const clients = () => rm.api.stats();
  const spec = (name: string, help: string) => ({ name, help, labelNames: ['client'] as const });
  collectedCounter(r, spec('vega_api_calls_total', 'Calls to the OpenAI-compatible API (/v1), by client.'), () =>
    clients().map((c) => [{ client: c.client }, c.calls] as const),
  );
  collectedCounter(r, spec('vega_api_calls_failed_total', 'Calls to the OpenAI-compatible API that failed.'), () =>
    clients().map((c) => [{ client: c.client }, c.failed] as const),
  );
  collectedCounter(r, spec('vega_api_completion_tokens_total', 'Tokens answered through the OpenAI-compatible API.'), () =>
    clients().map((c) => [{ client: c.client }, c.completionTokens] as const),
  );
}

function toolMetrics(r: Registry, s: MetricsSources): void {
  const integrations = () => s.integrations?.() ?? [];
  collectedCounter(
    r,
    {
      name: 'vega_tool_calls_total',
      help: 'Calls of the built-in integrations (as tools or from the app), by integration.',
      labelNames: ['integration'],
    },
    () => integrations().map((i) => [{ integration: i.id }, i.calls] as const),
  );
  collectedCounter(r, { name: 'vega_tool_call_failures_total', help: 'Integration calls that failed.', labelNames: ['integration'] }, () =>
    integrations().map((i) => [{ integration: i.id }, i.failures] as const),
  );
  if (!s.mcp) return;
  const servers = () => {
    const list = s.mcp!().servers;
    const label = capped(list.map((x) => x.name));
    return list.map((x) => ({ ...x, name: label(x.name, x.name) }));
  };
  collectedCounter(r, { name: 'vega_mcp_calls_total', help: 'Tool calls sent to each MCP server.', labelNames: ['server'] }, () =>
    merged(servers().map((x) => [{ server: x.name }, x.calls] as const)),
  );
  collectedCounter(r, { name: 'vega_mcp_call_failures_total', help: 'MCP tool calls that failed.', labelNames: ['server'] }, () =>
    merged(servers().map((x) => [{ server: x.name }, x.failures] as const)),
  );
  collectedGauge(
    r,
    { name: 'vega_mcp_server_ready', help: '1 while the MCP server is ready (its tools are offered).', labelNames: ['server'] },
    () =>
      servers()
        .filter((x) => x.name !== OTHER)
        .map((x) => [{ server: x.name }, x.state === 'ready' ? 1 : 0] as const),
  );
}

function storageMetrics(r: Registry, rm: ResourceManager): void {
  const stats = () => rm.storage.stats();
  const gauge = (name: string, help: string, read: () => number | null) =>
    collectedGauge(r, { name, help }, () => {
      const v = read();
      return v === null ? [] : [[{}, v]];
    });
  gauge('vega_storage_conversations', 'Conversations in the history store.', () => stats().conversations);
  gauge('vega_storage_messages', 'Messages in all conversations.', () => stats().messages);
  collectedGauge(r, { name: 'vega_storage_bytes', help: 'Bytes on disk, by what they hold.', labelNames: ['kind'] }, () => {
    const x = stats();
    return [
      [{ kind: 'history' }, x.historyBytes],
      [{ kind: 'logs' }, x.logBytes],
      [{ kind: 'diagnostics' }, x.diagnosticsBytes],
    ];
  });
  collectedCounter(r, { name: 'vega_storage_appends_total', help: 'Writes to the history that reached the disk.' }, () => [
    [{}, stats().appends],
  ]);
  collectedCounter(r, { name: 'vega_storage_torn_tails_repaired_total', help: 'Torn last lines (a write cut by a crash) cut off.' }, () => [
    [{}, stats().tornTailsRepaired],
  ]);
  collectedCounter(r, { name: 'vega_storage_failed_writes_total', help: 'Writes to the history the disk refused.' }, () => [
    [{}, stats().failedWrites],
  ]);
  gauge('vega_storage_disk_free_bytes', "Free space on the data folder's disk.", () => stats().diskFreeBytes);
  gauge('vega_storage_disk_total_bytes', "Size of the data folder's disk.", () => stats().diskTotalBytes);
  gauge('vega_storage_disk_low_bytes', 'VEGA_DISK_LOW_MB in bytes: below it health is degraded.', () => stats().diskLowBytes);
  gauge('vega_storage_degraded', '1 while writes fail or the disk is nearly full.', () => (stats().status === 'degraded' ? 1 : 0));
  collectedHistogram(
    r,
    {
      name: 'vega_storage_operation_duration_seconds',
      help: 'History store operations: list, get, append (with its fsync), fsync.',
      labelNames: ['operation'],
      buckets: STORAGE_S,
      scale: 1000,
    },
    () => STORAGE_OPS.map((op) => [{ operation: op }, rm.storage.latency(op)] as const),
  );
}

function lifecycleMetrics(r: Registry, rm: ResourceManager): void {
  collectedGauge(
    r,
    {
      name: 'vega_shutdown_phase_duration_seconds',
      help: 'Duration of each phase of the last completed shutdown (this run, else the one before).',
      labelNames: ['phase'],
    },
    () => {
      const last = rm.lastShutdown();
      return last ? CLEANUP_PHASES.map((phase) => [{ phase }, last.phasesMs[phase] / 1000] as const) : [];
    },
  );
  collectedGauge(r, { name: 'vega_shutdown_last_timestamp_seconds', help: 'When the last completed shutdown ended.' }, () => {
    const last = rm.lastShutdown();
    return last ? [[{}, last.at / 1000]] : [];
  });
  collectedGauge(r, { name: 'vega_health_check', help: '1 while the health check passes.', labelNames: ['check'] }, () => {
    const { checks } = rm.health();
    return [
      [{ check: 'http_client' }, Number(checks.httpClient)],
      [{ check: 'config_cache' }, Number(checks.configCache)],
      [{ check: 'storage' }, Number(checks.storage)],
    ];
  });
}

/** Histograms that share labels after capping, folded into one. */
function mergedHistograms<L extends string>(
  entries: readonly (readonly [Labels<L>, EngineHistogram])[],
): (readonly [Labels<L>, EngineHistogram])[] {
  const out = new Map<string, readonly [Labels<L>, EngineHistogram]>();
  for (const [labels, h] of entries) {
    const key = JSON.stringify(labels);
    const seen = out.get(key);
    if (!seen) out.set(key, [labels, h]);
    else if (seen[1] !== h) {
      const sum = new EngineHistogram();
      sum.add(seen[1]);
      sum.add(h);
      out.set(key, [labels, sum]);
    }
  }
  return [...out.values()];
}
