import type { IntegrationStatsValue } from '../../src-shared/contract.js';
import type { McpSnapshot } from '../../src-shared/mcp.js';
import type { EndpointStats, HealthReport, ManagerStats, OriginSnapshot, ResourceSnapshot } from '../../src-shared/resources.js';
import { STORAGE_OPS, type StorageStats } from '../../src-shared/storage.js';

/**
 * The admin API speaks the seed's snake_case JSON so its curl steps work
 * unchanged; inside TypeScript everything is camelCase. Fields are only
 * ever added to the seed's shapes, never renamed.
 */
export function healthJson(h: HealthReport): object {
  return {
    status: h.status,
    checks: {
      healthy: h.checks.healthy,
      http_client: h.checks.httpClient,
      config_cache: h.checks.configCache,
      cleanup_tasks: h.checks.cleanupTasks,
      storage: h.checks.storage,
    },
    timestamp: h.timestamp,
    // Added beyond the seed: what fails and how to fix it.
    problems: h.problems.map((p) => ({ check: p.check === 'configCache' ? 'config_cache' : p.check, message: p.message, fix: p.fix })),
  };
}

function managerJson(m: ManagerStats): object {
  return {
    http_clients_created: m.httpClientsCreated,
    http_requests_made: m.httpRequestsMade,
    config_cache_hits: m.configCacheHits,
    config_cache_misses: m.configCacheMisses,
    config_cache_hit_rate: m.configCacheHitRate,
    cleanup_tasks_registered: m.cleanupTasksRegistered,
    startup_time: m.startupTime,
    shutdown_time: m.shutdownTime,
    uptime_seconds: m.uptimeSeconds,
    // Added beyond the seed:
    http_requests_failed: m.httpRequestsFailed,
    http_requests_in_flight: m.httpInFlight,
    http_scoped_in_use: m.scopedInUse,
    connections_opened: m.connectionsOpened,
    connections_closed: m.connectionsClosed,
    connection_limit: m.connectionLimit,
  };
}

function originJson(o: OriginSnapshot): object {
  return {
    origin: o.origin,
    pool: o.pool,
    requests: o.requests,
    failed: o.failed,
    in_flight: o.inFlight,
    connections_opened: o.connectionsOpened,
    connections_closed: o.connectionsClosed,
    requests_per_second: o.rps,
    latency_ms: o.totalMs,
    latency_last_second_ms: o.windowMs,
  };
}

/** GET /admin/database/stats, and `storage` in GET /admin/resources/stats: the design note's "database monitoring". */
export function storageJson(s: StorageStats): object {
  return {
    status: s.status,
    problem: s.problem,
    fix: s.fix,
    conversations: s.conversations,
    messages: s.messages,
    bytes: { history: s.historyBytes, logs: s.logBytes, diagnostics: s.diagnosticsBytes },
    appends: s.appends,
    torn_tails_repaired: s.tornTailsRepaired,
    failed_writes: s.failedWrites,
    last_write_error: s.lastWriteError,
    disk: { free_bytes: s.diskFreeBytes, total_bytes: s.diskTotalBytes, low_threshold_bytes: s.diskLowBytes },
    operations: Object.fromEntries(
      STORAGE_OPS.map((op) => {
        const o = s.ops[op];
        return [op, { count: o.count, latency_ms: o.totalMs, latency_last_second_ms: o.windowMs, count_last_second: o.windowCount }];
      }),
    ),
    measured_at: s.measuredAt === null ? null : new Date(s.measuredAt).toISOString(),
  };
}

export function statsJson(s: ResourceSnapshot, timestamp: string, integrations: readonly IntegrationStatsValue[] = []): object {
  const c = s.configCache;
  return {
    resource_manager: managerJson(s.manager),
    config_cache: {
      hits: c.hits,
      misses: c.misses,
      hit_rate: c.hitRate,
      cache_age_seconds: c.cacheAgeSeconds,
      cached: c.cached,
      loads: c.loads,
      degraded: c.degraded,
      last_error: c.lastError,
    },
    http_pools: s.origins.map(originJson),
    llm: {
      turns: s.llm.turns,
      failed: s.llm.failed,
      tokens: s.llm.tokens,
      time_to_first_token_ms: s.llm.ttftMs,
      last_tokens_per_second: s.llm.lastTokensPerSecond,
    },
    integrations: integrations.map((i) => ({
      id: i.id,
      calls: i.calls,
      failures: i.failures,
      latency_ms: i.latencyMs,
      last_status: i.lastStatus,
      last_http_status: i.lastHttpStatus,
      last_error: i.lastError,
      last_call_at: i.lastCallAt,
      ...(i.rateLimit
        ? {
            rate_limit: {
              limit: i.rateLimit.limit,
              remaining: i.rateLimit.remaining,
              reset_at: i.rateLimit.resetAt,
              resource: i.rateLimit.resource,
            },
          }
        : {}),
    })),
    ...(s.mcp ? { mcp: mcpJson(s.mcp) } : {}),
    endpoints: (s.endpoints ?? []).map(endpointJson),
    process: {
      rss_bytes: s.process.rss,
      heap_used_bytes: s.process.heapUsed,
      heap_total_bytes: s.process.heapTotal,
      event_loop_delay_p50_ms: s.process.eventLoopDelayP50Ms,
      event_loop_delay_p99_ms: s.process.eventLoopDelayP99Ms,
    },
    storage: storageJson(s.storage),
    timestamp,
  };
}

/** A model server of a fleet; the list is empty while each provider has one server. */
function endpointJson(e: EndpointStats): object {
  return {
    provider: e.provider,
    url: e.url,
    weight: e.weight,
    state: e.state,
    models: e.models,
    loaded_models: e.loadedModels,
    running: e.running,
    ttft_p50_ms: e.ttftP50Ms,
    tokens_per_second: e.tokensPerSecond,
    errors: e.errors,
    turns: e.turns,
    share: e.share,
    last_error: e.lastError,
  };
}

function mcpJson(m: McpSnapshot): object {
  return {
    config_error: m.configError,
    servers: m.servers.map((s) => ({
      name: s.name,
      state: s.state,
      transport: s.transport,
      pid: s.pid,
      memory_bytes: s.memoryBytes,
      cpu_percent: s.cpuPercent,
      processes: s.processes,
      tools: s.tools,
      calls: s.calls,
      failures: s.failures,
      latency_p50_ms: s.p50Ms,
      restarts: s.restarts,
      last_error: s.lastError,
      fix: s.fix,
    })),
  };
}
