/** What the engine reports about itself: the dashboard's and the admin API's data. */
import type { StorageStats } from './storage.js';
import type { McpSnapshot } from './mcp.js';

export interface PoolStats {
  readonly connected: number;
  readonly free: number;
  readonly pending: number;
  readonly queued: number;
  readonly running: number;
  readonly size: number;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface OriginSnapshot {
  readonly origin: string;
  readonly pool: PoolStats;
  readonly requests: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly connectionsOpened: number;
  readonly connectionsClosed: number;
  /** Requests completed in the last one-second window. */
  readonly rps: number;
  /** Latency over the last window, milliseconds. */
  readonly windowMs: LatencySummary;
  /** Latency since start, milliseconds. */
  readonly totalMs: LatencySummary;
}

/** One outbound request, for the dashboard's recent-requests table. */
export interface RecentRequest {
  readonly method: string;
  readonly origin: string;
  /** Path without the query (which may carry tokens). */
  readonly path: string;
  /** 0 when no response arrived. */
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
  readonly requestId: string | null;
  /** Epoch ms when it ended. */
  readonly at: number;
  /** Error code when it failed without a response (e.g. ECONNREFUSED). */
  readonly error: string | null;
}

export interface ConfigCacheStatsValue {
  readonly hits: number;
  readonly misses: number;
  readonly hitRate: number;
  readonly cacheAgeSeconds: number | null;
  readonly cached: boolean;
  readonly loads: number;
  readonly degraded: boolean;
  readonly lastError: string | null;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthChecks {
  readonly healthy: boolean;
  readonly httpClient: boolean;
  readonly configCache: boolean;
  readonly cleanupTasks: number;
  /** Writes succeed and the data folder's disk has room (VEGA_DISK_LOW_MB). */
  readonly storage: boolean;
}

/** Why a check fails, and what the person can do about it. */
export interface HealthProblem {
  readonly check: 'configCache' | 'storage';
  readonly message: string;
  readonly fix: string;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly checks: HealthChecks;
  /** One entry per failing check; empty when healthy. */
  readonly problems: readonly HealthProblem[];
  readonly timestamp: string;
}

export interface ProcessStats {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly eventLoopDelayP50Ms: number;
  readonly eventLoopDelayP99Ms: number;
}

export interface ManagerStats {
  readonly httpClientsCreated: number;
  readonly httpRequestsMade: number;
  readonly httpRequestsFailed: number;
  readonly httpInFlight: number;
  /**
   * Always 0, kept for the admin JSON's `http_scoped_in_use`: the seed's
   * scoped borrow (`get_http_client()`) has no counterpart here. Every caller
   * uses the one pooled dispatcher directly, so nothing is held in a scope;
   * what is in use shows as `httpInFlight`.
   */
  readonly scopedInUse: 0;
  readonly connectionsOpened: number;
  readonly connectionsClosed: number;
  readonly connectionLimit: number;
  readonly configCacheHits: number;
  readonly configCacheMisses: number;
  readonly configCacheHitRate: number;
  readonly cleanupTasksRegistered: number;
  /** Epoch seconds, as in the seed. */
  readonly startupTime: number;
  readonly shutdownTime: number | null;
  readonly uptimeSeconds: number;
}

export interface LlmStats {
  readonly turns: number;
  readonly failed: number;
  readonly tokens: number;
  /** Time to first token over all turns, ms. */
  readonly ttftMs: LatencySummary;
  /** Tokens per second of the most recent completed turn. */
  readonly lastTokensPerSecond: number;
}

/** The calls of one client of the OpenAI-compatible API, named from its User-Agent. */
export interface ApiClientStats {
  readonly client: string;
  readonly calls: number;
  readonly failed: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Time to the first token of streamed and plain completions, ms. */
  readonly ttftMs: LatencySummary;
}

/** One process of the Electron app (main, renderer, GPU, utility), as Electron measures it. */
export interface AppProcess {
  readonly pid: number;
  readonly type: string;
  /** Percent of one core since the last tick. */
  readonly cpuPercent: number;
  /** Working set, bytes. */
  readonly memory: number;
}

/** One tick of the dashboard: cheap to build, small to send. */
export interface ResourceSnapshot {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly manager: ManagerStats;
  readonly origins: readonly OriginSnapshot[];
  readonly configCache: ConfigCacheStatsValue;
  readonly llm: LlmStats;
  readonly process: ProcessStats;
  /** The history store, the logs and the disk: the Storage card's data. */
  readonly storage: StorageStats;
  readonly health: HealthStatus;
  /** Every process of the app; only the Electron host has them. */
  readonly appProcesses?: readonly AppProcess[];
  /** The MCP servers: state, process figures, calls. */
  readonly mcp?: McpSnapshot;
  /** Callers of the OpenAI-compatible API (/v1), by client; absent before the first call. */
  readonly apiClients?: readonly ApiClientStats[];
  /** The model servers of a list (OLLAMA_HOST or OPENAI_BASE_URL with more than one): the Fleet card's data. */
  readonly endpoints?: readonly EndpointStats[];
}

/** How an endpoint of a fleet is doing: `breaker-open` while its breaker keeps turns away, `down` when its listing fails. */
export type EndpointState = 'up' | 'degraded' | 'down' | 'breaker-open';

export interface EndpointStats {
  readonly provider: 'ollama' | 'openai';
  /** Its address as messages show it (no credentials, no query). */
  readonly url: string;
  readonly weight: number;
  readonly state: EndpointState;
  readonly models: readonly string[];
  readonly loadedModels: readonly string[];
  /** Requests running to its origin now (the pool's counter). */
  readonly running: number;
  /** Time to first token over its recent turns, ms; null before its first. */
  readonly ttftP50Ms: number | null;
  readonly tokensPerSecond: number | null;
  /** Server faults (connection failures, 5xx, timeouts) since start. */
  readonly errors: number;
  readonly turns: number;
  /** Its part of the turns its fleet served, 0..1. */
  readonly share: number;
  readonly lastError: string | null;
}

export interface CleanupStepReport {
  readonly step: string;
  readonly phase: CleanupPhase;
  readonly ok: boolean;
  readonly ms: number;
  readonly error: string | null;
}

export const CLEANUP_PHASES = ['llm', 'resources', 'background'] as const;
export type CleanupPhase = (typeof CLEANUP_PHASES)[number];

/**
 * The per-second snapshot as it crosses to the window: the origins as
 * columns, so twenty origins do not repeat twenty sets of key names
 * (rows cost ~300 bytes an origin, columns ~70).
 */
export interface ResourceSnapshotWire extends Omit<ResourceSnapshot, 'origins'> {
  readonly origins: OriginColumns;
}

const POOL_KEYS = ['connected', 'free', 'pending', 'queued', 'running', 'size'] as const;
const COUNT_KEYS = ['requests', 'failed', 'inFlight', 'connectionsOpened', 'connectionsClosed', 'rps'] as const;
const LATENCY_KEYS = ['p50', 'p95', 'p99'] as const;

export type OriginColumns = { readonly origin: readonly string[] } & {
  readonly [
    K in
      | (typeof POOL_KEYS)[number]
      | (typeof COUNT_KEYS)[number]
      | `window_${(typeof LATENCY_KEYS)[number]}`
      | `total_${(typeof LATENCY_KEYS)[number]}`
  ]: readonly number[];
};

export function compactSnapshot(s: ResourceSnapshot): ResourceSnapshotWire {
  const col = <T>(f: (o: OriginSnapshot) => T): T[] => s.origins.map(f);
  const cols: Record<string, readonly (number | string)[]> = { origin: col((o) => o.origin) };
  for (const k of POOL_KEYS) cols[k] = col((o) => o.pool[k]);
  for (const k of COUNT_KEYS) cols[k] = col((o) => o[k]);
  for (const k of LATENCY_KEYS) {
    cols[`window_${k}`] = col((o) => o.windowMs[k]);
    cols[`total_${k}`] = col((o) => o.totalMs[k]);
  }
  return { ...s, origins: cols as unknown as OriginColumns };
}

export function expandSnapshot(w: ResourceSnapshotWire): ResourceSnapshot {
  const c = w.origins;
  const at = (k: keyof OriginColumns, i: number): number => (c[k] as readonly number[])[i] ?? 0;
  const origins = c.origin.map((origin, i): OriginSnapshot => ({
    origin,
    pool: {
      connected: at('connected', i),
      free: at('free', i),
      pending: at('pending', i),
      queued: at('queued', i),
      running: at('running', i),
      size: at('size', i),
    },
    requests: at('requests', i),
    failed: at('failed', i),
    inFlight: at('inFlight', i),
    connectionsOpened: at('connectionsOpened', i),
    connectionsClosed: at('connectionsClosed', i),
    rps: at('rps', i),
    windowMs: { p50: at('window_p50', i), p95: at('window_p95', i), p99: at('window_p99', i) },
    totalMs: { p50: at('total_p50', i), p95: at('total_p95', i), p99: at('total_p99', i) },
  }));
  return { ...w, origins };
}
