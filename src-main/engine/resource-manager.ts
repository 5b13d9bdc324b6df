import path from 'node:path';
import type { Dispatcher } from 'undici';
import { secretsIn } from '../../src-shared/config-keys.js';
import { VegaError } from '../../src-shared/errors.js';
import type {
  CleanupStepReport,
  HealthProblem,
  HealthReport,
  ManagerStats,
  OriginSnapshot,
  RecentRequest,
  ResourceSnapshot,
} from '../../src-shared/resources.js';
import type { Config } from './config.js';
import { ConfigCache } from './config-cache.js';
import { defaultDataDir } from './data-dir.js';
import { createPooledClient, type HttpSettings, type PooledClient } from './http-client.js';
import { Lifecycle, type CleanupFn, type CleanupOptions } from './lifecycle.js';
import { LoopDelay } from './loop-delay.js';
import { createLogger, type Logger, type VegaLogger } from './logger.js';
import { privateDir } from './private-files.js';
import { ApiMetrics } from './api-metrics.js';
import { HttpMetrics, LlmMetrics, type OriginCounters } from './metrics.js';
import { loadShutdownRecord, saveShutdownRecord, shutdownRecord, type ShutdownRecord } from './shutdown-record.js';
import { StorageMetrics } from './storage-metrics.js';

export interface ResourceManagerOptions {
  /** The .env file, overriding everything (tests). */
  readonly envFile?: string;
  /** The host's choice when VEGA_ENV_FILE is unset (Electron: in userData); else ./.env. */
  readonly defaultEnvFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Used when VEGA_DATA_DIR is unset (Electron passes its userData folder). */
  readonly dataDir?: string;
  /** Readable log lines on stdout. */
  readonly console?: boolean;
  readonly configTtlMs?: number;
  readonly watchConfig?: boolean;
  /** Overrides of the pool settings read from the config (tests, benchmarks). */
  readonly http?: Partial<HttpSettings>;
  readonly shutdownTotalMs?: number;
}

/**
 * The one owner of the process's outbound HTTP, its configuration and its
 * cleanup. Every provider and integration receives this manager's client;
 * nothing else creates a dispatcher.
 */
export class ResourceManager {
  readonly config: ConfigCache;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly httpSettings: HttpSettings;
  /** Chat turns reported by the providers (tokens, time to first token). */
  readonly llm = new LlmMetrics();
  /** Calls to the OpenAI-compatible API, by client. */
  readonly api = new ApiMetrics();
  /** The history store, the logs and the disk under them (the store reports into it). */
  readonly storage: StorageMetrics;
  readonly #log: VegaLogger;
  readonly #metrics: HttpMetrics;
  readonly #pool: PooledClient;
  readonly #eventLoop = new LoopDelay(LOOP_IDLE_MS);
  readonly #startedAt = Date.now();
  #shutdownAt: number | null = null;
  #shutdown: Promise<CleanupStepReport[]> | undefined;
  /** This run's shutdown once it ran, else the previous run's (from the data folder). */
  #lastShutdown: ShutdownRecord | null;
  #clientsCreated = 0;
  #closed = false;

  static async create(opts: ResourceManagerOptions = {}): Promise<ResourceManager> {
    const env = opts.env ?? process.env;
    const envFile = path.resolve(opts.envFile ?? env.VEGA_ENV_FILE ?? opts.defaultEnvFile ?? '.env');
    const cache = new ConfigCache({ file: envFile, env, ttlMs: opts.configTtlMs, watch: opts.watchConfig ?? false });
    const config = await cache.get();
    try {
      const dataDir = path.resolve(config.string('VEGA_DATA_DIR') || opts.dataDir || defaultDataDir(opts.env));
      await privateDir(dataDir);
      const log = await createLogger({ dataDir, level: config.string('VEGA_LOG_LEVEL') || 'info', console: opts.console });
      const rm = new ResourceManager(cache, config, log, dataDir, opts);
      // Health knows the disk from the start.
      await rm.storage.refresh();
      return rm;
    } catch (err) {
      cache.close();
      throw err;
    }
  }

  private constructor(cache: ConfigCache, config: Config, log: VegaLogger, dataDir: string, opts: ResourceManagerOptions) {
    this.config = cache;
    this.dataDir = dataDir;
    this.httpSettings = {
      maxConnections: config.int('VEGA_HTTP_MAX_CONNECTIONS'),
      keepAliveS: config.int('VEGA_HTTP_KEEPALIVE'),
      http2: config.bool('VEGA_HTTP2'),
      timeoutMs: config.number('VEGA_HTTP_TIMEOUT_S') * 1000,
      ...opts.http,
    };
    this.#log = log;
    this.logger = this.#log.logger;
    this.#lastShutdown = loadShutdownRecord(dataDir);
    this.storage = new StorageMetrics({ data: dataDir, logs: log.dir, diagnostics: this.diagnosticsDir }, () =>
      diskLowMb(cache.peek() ?? config),
    );
    this.#learnSecrets(config);
    cache.setHooks({
      onLoad: (c) => this.#learnSecrets(c),
      onError: (err) => this.logger.warn(`Config: ${err.message} (serving the last good copy)`),
    });
    if (cache.lastError) this.logger.warn(`Config: ${cache.lastError.message} (using defaults)`);
    this.lifecycle = new Lifecycle(this.logger, { totalMs: opts.shutdownTotalMs });
    this.#metrics = new HttpMetrics((socket) => this.#pool.sockets.has(socket));
    this.#pool = createPooledClient(this.httpSettings, this.#metrics);
    this.#clientsCreated++;
    this.lifecycle.register('http-pool', () => this.#closePool(), { phase: 'resources' });
    this.logger.info({ dataDir: this.dataDir, envFile: cache.file, http: this.httpSettings }, '✓ Resource manager initialized');
  }

  /** The pooled client, for long-lived users (the seed's get_http_client_direct). */
  httpClient(): Dispatcher {
    if (this.#closed) throw new VegaError('SHUTTING_DOWN', 'Vega is shutting down; no new requests are started.');
    return this.#pool.dispatcher;
  }

  /** Drop the cached configuration: the next read reloads the .env file (the dashboard's button, the admin API). */
  invalidateConfig(): void {
    this.config.invalidate();
    this.logger.info('Configuration cache invalidated');
  }

  registerCleanup(name: string, fn: CleanupFn, opts?: CleanupOptions): () => void {
    return this.lifecycle.register(name, fn, opts);
  }

  /** Where "Export diagnostics" writes. */
  get diagnosticsDir(): string {
    return path.join(this.dataDir, 'diagnostics');
  }

  /** Folder of the rotated JSON-lines log files. */
  get logDir(): string {
    return this.#log.dir;
  }

  /**
   * Replace known secrets in text or in any value leaving main: a server may
   * echo a key back in its error ("Incorrect API key provided: sk-…").
   */
  redact(text: string): string {
    return this.#log.scrubber.scrub(text);
  }

  redactDeep<T>(value: T): T {
    return this.#log.scrubber.scrubDeep(value);
  }

  /** How much of a text still arriving may be redacted and sent now (see SecretScrubber.streamCut). */
  streamCut(text: string): number {
    return this.#log.scrubber.streamCut(text);
  }

  /** Keep a secret that is not in the config (a generated key, a token) out of every log line. */
  addSecret(value: string): void {
    this.#log.scrubber.add(value);
  }

  shutdown(): Promise<CleanupStepReport[]> {
    this.#shutdownAt ??= Date.now();
    // The log file is the last thing closed, so every shutdown line is in it.
    return (this.#shutdown ??= this.lifecycle
      .shutdown()
      .then((report) => {
        this.#lastShutdown = shutdownRecord(report);
        saveShutdownRecord(this.dataDir, this.#lastShutdown);
        return report;
      })
      .finally(() => this.#log.close()));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The last completed shutdown's phase durations: this run's, or the previous run's until this one shuts down. */
  lastShutdown(): ShutdownRecord | null {
    return this.#lastShutdown;
  }

  health(): HealthReport {
    const httpClient = !this.#closed && !this.lifecycle.shuttingDown;
    const problems: HealthProblem[] = [];
    const cacheError = this.config.lastError;
    if (cacheError)
      problems.push({
        check: 'configCache',
        message: cacheError.message,
        fix: `Correct ${this.config.file}; the last good settings are used meanwhile.`,
      });
    const storage = this.storage.stats();
    if (storage.problem) problems.push({ check: 'storage', message: storage.problem, fix: storage.fix ?? '' });
    const status = !httpClient ? 'unhealthy' : problems.length ? 'degraded' : 'healthy';
    return {
      status,
      checks: {
        healthy: status === 'healthy',
        httpClient,
        configCache: !cacheError,
        cleanupTasks: this.lifecycle.registered,
        storage: !storage.problem,
      },
      problems,
      timestamp: new Date().toISOString(),
    };
  }

  stats(): ManagerStats {
    const cache = this.config.stats();
    const m = this.#metrics;
    return {
      httpClientsCreated: this.#clientsCreated,
      httpRequestsMade: m.requests,
      httpRequestsFailed: m.failed,
      httpInFlight: m.inFlight,
      scopedInUse: 0,
      connectionsOpened: m.connectionsOpened,
      connectionsClosed: m.connectionsClosed,
      connectionLimit: this.httpSettings.maxConnections,
      configCacheHits: cache.hits,
      configCacheMisses: cache.misses,
      configCacheHitRate: cache.hitRate,
      cleanupTasksRegistered: this.lifecycle.registered,
      startupTime: this.#startedAt / 1000,
      shutdownTime: this.#shutdownAt === null ? null : this.#shutdownAt / 1000,
      uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 100) / 10,
    };
  }

  origins(): OriginSnapshot[] {
    const pools = this.#closed ? {} : (this.#pool.agent.stats as Record<string, OriginSnapshot['pool']>);
    const out: OriginSnapshot[] = [];
    for (const [origin, o] of this.#metrics.origins) {
      const p = pools[origin];
      out.push({
        origin,
        pool: p
          ? { connected: p.connected, free: p.free, pending: p.pending, queued: p.queued, running: p.running, size: p.size }
          : IDLE_POOL,
        requests: o.requests,
        failed: o.failed,
        inFlight: o.inFlight,
        connectionsOpened: o.connectionsOpened,
        connectionsClosed: o.connectionsClosed,
        rps: o.window.lastCount(),
        windowMs: o.window.lastSummary(),
        totalMs: o.total.summary(),
      });
    }
    return out;
  }

  /** Each origin's live counters (statuses, retries, latency histogram), for the metrics endpoint. */
  originCounters(): ReadonlyMap<string, Readonly<OriginCounters>> {
    return this.#metrics.origins;
  }

  /** The last 500 outbound requests, newest first. */
  recentRequests(limit?: number): RecentRequest[] {
    return this.#metrics.recent(limit);
  }

  /** One dashboard tick's data. */
  snapshot(): ResourceSnapshot {
    const mem = process.memoryUsage();
    const apiClients = this.api.stats();
    return {
      t: Date.now(),
      manager: this.stats(),
      origins: this.origins(),
      configCache: this.config.stats(),
      llm: this.llm.stats(),
      storage: this.storage.stats(),
      process: {
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        heapTotal: mem.heapTotal,
        eventLoopDelayP50Ms: this.#eventLoop.percentileMs(50),
        eventLoopDelayP99Ms: this.#eventLoop.percentileMs(99),
      },
      health: this.health().status,
      ...(apiClients.length ? { apiClients } : {}),
    };
  }

  /**
   * Build a snapshot, measuring the disk if due: the dashboard's tick. The
   * caller owns the timer (one per host), so nothing ticks when no one looks.
   */
  tick(): ResourceSnapshot {
    void this.storage.refresh(STORAGE_MEASURE_MS);
    const snap = this.snapshot();
    this.#eventLoop.reset();
    return snap;
  }

  /**
   * Whether a dashboard watches: then the event loop is sampled every 20 ms
   * and each tick reports its last second; otherwise every second, which an
   * idle process can afford (the figures then cover the time since the
   * dashboard closed, which is what /metrics and the admin JSON report).
   */
  watched(yes: boolean): void {
    if (this.#closed) return;
    this.#eventLoop.setResolution(yes ? LOOP_WATCHED_MS : LOOP_IDLE_MS);
  }

  #learnSecrets(config: Config): void {
    this.#log.scrubber.set(Object.entries(config.values).flatMap(([k, v]) => secretsIn(k, v)));
  }

  async #closePool(): Promise<void> {
    this.#closed = true;
    this.config.close();
    this.#eventLoop.close();
    // In-flight requests get a moment to finish (the llm phase has already
    // stopped the streams); whatever is still open then is cut.
    await this.#pool.close(POOL_GRACE_MS);
    this.#metrics.close();
  }
}

const POOL_GRACE_MS = 200;
/** Event-loop sampling while a dashboard watches, and while none does. */
const LOOP_WATCHED_MS = 20;
const LOOP_IDLE_MS = 1_000;
/** The folders and the disk are measured at most this often by the tick. */
const STORAGE_MEASURE_MS = 5_000;
const DISK_LOW_MB_DEFAULT = 500;

/** Read without touching the cache's statistics: the tick must not move the hit-rate chart. */
function diskLowMb(config: Config): number {
  try {
    return config.int('VEGA_DISK_LOW_MB');
  } catch {
    return DISK_LOW_MB_DEFAULT;
  }
}

const IDLE_POOL = { connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 } as const;
