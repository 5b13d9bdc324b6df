import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VegaError } from '../../src-shared/errors.js';
import type { ConfigCacheStatsValue } from '../../src-shared/resources.js';
import { Config } from './config.js';
import { parseEnvText } from './env-file.js';

export interface ConfigCacheOptions {
  /** Path of the .env file. */
  readonly file: string;
  /** Fixed TTL; when absent the loaded VEGA_CONFIG_TTL_S decides (300 s by default). */
  readonly ttlMs?: number;
  /** Wait before retrying a failed load, so a broken file is not re-read on every get. */
  readonly retryMs?: number;
  /** The process environment, which wins over the file. */
  readonly env?: NodeJS.ProcessEnv;
  /** Invalidate when the file changes on disk. */
  readonly watch?: boolean;
  /** Called after every successful load (e.g. to teach the logger the secrets to redact). */
  readonly onLoad?: (config: Config) => void;
  readonly onError?: (err: Error) => void;
}

export type ConfigCacheStats = ConfigCacheStatsValue;

/**
 * A TTL cache over the .env file. A hit is a flag check and a resolved
 * promise: expiry is set by a timer, not by reading the clock on every get.
 * Readers that arrive while a load runs share it. A failed load keeps serving
 * the last good copy (or defaults plus the environment) and marks itself
 * degraded until a load succeeds.
 */
export class ConfigCache {
  readonly file: string;
  readonly #opts: ConfigCacheOptions;
  #onLoad: ConfigCacheOptions['onLoad'];
  #onError: ConfigCacheOptions['onError'];
  #current: Config | undefined;
  #currentPromise: Promise<Config> | undefined;
  #loadedAt = 0;
  #fresh = false;
  #inflight: Promise<Config> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #hits = 0;
  #misses = 0;
  #loads = 0;
  #errors = 0;
  #lastError: Error | null = null;
  #everLoaded = false;
  /** invalidate() was called and no load has happened since. */
  #dropped = false;
  #closed = false;

  constructor(opts: ConfigCacheOptions) {
    this.file = path.resolve(opts.file);
    this.#opts = opts;
    this.#onLoad = opts.onLoad;
    this.#onError = opts.onError;
    if (opts.watch) this.#watch();
  }

  get(forceReload = false): Promise<Config> {
    if (this.#fresh && !forceReload) {
      this.#hits++;
      return this.#currentPromise as Promise<Config>;
    }
    this.#misses++;
    if (forceReload) this.#fresh = false;
    return (this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    }));
  }

  /** Set the load hooks after construction (the logger is made from the first load). */
  setHooks(hooks: Pick<ConfigCacheOptions, 'onLoad' | 'onError'>): void {
    this.#onLoad = hooks.onLoad;
    this.#onError = hooks.onError;
  }

  /** The last loaded copy without touching the statistics (undefined before the first load). */
  peek(): Config | undefined {
    return this.#current;
  }

  /**
   * Drop the cached copy: the next get is a miss and reads the file again.
   * The copy is still kept as the fallback: invalidating while the file is
   * broken must not silently revert every setting to its default.
   */
  invalidate(): void {
    this.#fresh = false;
    this.#dropped = true;
    this.#clearTimer();
  }

  get degraded(): boolean {
    return this.#lastError !== null;
  }

  get lastError(): Error | null {
    return this.#lastError;
  }

  /** Loads that failed since start (the stale copy was served instead). */
  get errorCount(): number {
    return this.#errors;
  }

  stats(): ConfigCacheStats {
    const total = this.#hits + this.#misses;
    return {
      hits: this.#hits,
      misses: this.#misses,
      hitRate: total === 0 ? 0 : Math.round((this.#hits / total) * 10000) / 100,
      cacheAgeSeconds: this.#current ? Math.round((Date.now() - this.#loadedAt) / 100) / 10 : null,
      cached: this.#current !== undefined && !this.#dropped,
      loads: this.#loads,
      degraded: this.degraded,
      lastError: this.#lastError?.message ?? null,
    };
  }

  close(): void {
    this.#closed = true;
    this.#clearTimer();
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  async #load(): Promise<Config> {
    this.#loads++;
    const env = this.#opts.env ?? process.env;
    try {
      const fileValues = await this.#readFile();
      const config = new Config(fileValues, env, this.file);
      this.#accept(config, this.#ttlFor(config));
      this.#lastError = null;
      this.#onLoad?.(config);
      return config;
    } catch (err) {
      const error =
        err instanceof VegaError
          ? err
          : new VegaError('CONFIG_UNAVAILABLE', `Cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
      this.#lastError = error;
      this.#errors++;
      this.#onError?.(error);
      // Serve the stale copy if there is one, else defaults plus the environment.
      const fallback = this.#current ?? new Config({}, env, this.file);
      this.#accept(fallback, this.#opts.retryMs ?? 5000);
      return fallback;
    }
  }

  async #readFile(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      // No file before any good load is a fresh install, not a fault: defaults apply.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !this.#everLoaded) return {};
      throw err;
    }
    const values = parseEnvText(text, this.file);
    this.#everLoaded = true;
    return values;
  }

  #ttlFor(config: Config): number {
    if (this.#opts.ttlMs !== undefined) return this.#opts.ttlMs;
    try {
      return config.number('VEGA_CONFIG_TTL_S') * 1000;
    } catch {
      return 300_000;
    }
  }

  #accept(config: Config, ttlMs: number): void {
    if (this.#current !== config) {
      this.#current = config;
      this.#currentPromise = Promise.resolve(config);
      this.#loadedAt = Date.now();
    }
    this.#fresh = true;
    this.#dropped = false;
    this.#clearTimer();
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#fresh = false;
    }, ttlMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Watch the folder, not the file: an editor's atomic save replaces the
   * file, and a watch on the old inode goes deaf.
   */
  #watch(): void {
    const base = path.basename(this.file);
    try {
      this.#watcher = watch(path.dirname(this.file), { persistent: false }, (_event, name) => {
        if (name === null || name.toString() === base) this.#fresh = false;
      });
      this.#watcher.on('error', () => this.#watcher?.close());
    } catch {
      // The folder may not exist yet; TTL expiry still applies.
    }
  }
}
